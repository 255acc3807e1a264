/// Finds chains with one cursor, trying the key after the current one before searching: the
/// chains of one entity are adjacent (entity-major keys), so reading several features of an
/// entity in feature-id order costs one search and a few steps.
struct ChainWalker: ~Copyable {
  private let cursor: Cursor
  private var key: [UInt8] = []
  private var positioned = false

  init(_ store: FeatureStore, _ txn: borrowing some Transaction & ~Copyable) throws {
    cursor = try Cursor(store.tables.chains, txn)
    key.reserveCapacity(24)
  }

  /// Lends the chain record of (entity, feature) to `body` (nil when there is none).
  mutating func withChain<R>(
    entity: UInt64, feature: UInt64, _ body: (UnsafeRawBufferPointer?) throws -> R
  ) throws -> R {
    key.removeAll(keepingCapacity: true)
    OrderedVarint.append(entity, to: &key)
    OrderedVarint.append(feature, to: &key)
    let wasPositioned = positioned
    let record = try key.withUnsafeBytes { k -> UnsafeRawBufferPointer? in
      var entry = wasPositioned ? try cursor.next() : nil
      if let e = entry, !e.key.elementsEqual(k) { entry = nil }
      if entry == nil { entry = try cursor.find(k) }
      return entry?.value
    }
    positioned = record != nil
    return try body(record)
  }
}
