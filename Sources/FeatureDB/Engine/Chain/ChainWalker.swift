/// Finds chains with one cursor, trying the key after the current one before searching: the
/// chains of one entity are adjacent (entity-major keys), so reading several features of an
/// entity in feature-id order costs one search and a few steps.
struct ChainWalker: ~Copyable {
  private let cursor: Cursor
  private var key = InlineKey()
  private var positioned = false

  init(_ store: FeatureStore, _ txn: borrowing some Transaction & ~Copyable) throws {
    cursor = try Cursor(store.tables.chains, txn)
  }

  /// Lends the chain record of (entity, feature) to `body` (nil when there is none); before
  /// lending nil, `confirmMiss` gets the key (to tell a damaged page from absence).
  mutating func withChain<R>(
    entity: UInt64, feature: UInt64,
    confirmMiss: (UnsafeRawBufferPointer) throws -> Void = { _ in },
    _ body: (UnsafeRawBufferPointer?) throws -> R
  ) throws -> R {
    key.removeAll()
    key.append(entity)
    key.append(feature)
    let wasPositioned = positioned
    let record = try key.withBytes { k -> UnsafeRawBufferPointer? in
      var entry = wasPositioned ? try cursor.next() : nil
      if let e = entry, !key.equals(e.key) { entry = nil }
      if entry == nil { entry = try cursor.find(k) }
      if entry == nil { try confirmMiss(k) }
      return entry?.value
    }
    positioned = record != nil
    return try body(record)
  }
}
