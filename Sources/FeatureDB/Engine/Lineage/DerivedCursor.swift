/// Reads the `derived` index (parent version → derived versions) with one cursor, however many
/// parents a query asks about.
struct DerivedCursor: ~Copyable {
  private let cursor: Cursor?
  private let table: Table?

  init(_ store: FeatureStore, _ txn: borrowing some Transaction & ~Copyable) throws {
    table = store.tables.v2?.derived
    cursor = try table.map { try Cursor($0, txn) }
  }

  /// Calls `body(entity, feature, version, eventTime)` for each version derived from (entity,
  /// feature, version).
  func forEach(
    _ entity: UInt64, _ feature: UInt64, _ version: UInt64,
    _ body: (UInt64, UInt64, UInt64, Int64) throws -> Void
  ) throws {
    switch cursor {
    case .some(let cursor): try walk(cursor, entity, feature, version, body)
    case .none: return
    }
  }

  private func walk(
    _ cursor: borrowing Cursor, _ entity: UInt64, _ feature: UInt64, _ version: UInt64,
    _ body: (UInt64, UInt64, UInt64, Int64) throws -> Void
  ) throws {
    let table = self.table!
    let prefix = Keys.ids(entity, feature, version)
    var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
    while let (key, value) = entry, key.starts(with: prefix) {
      var r = ByteReader(value)
      var ids = Keys.IDReader(key)
      // The parent's three ids (the prefix), then the derived version's.
      guard ids.next() != nil, ids.next() != nil, ids.next() != nil,
        let e = ids.next(), let f = ids.next(), let v = ids.next(), ids.isAtEnd,
        let eventTime = try? r.signedVarint()
      else {
        throw FeatureDBError.undecodable(table, key: key)
      }
      try body(e, f, v, eventTime)
      entry = try cursor.next()
    }
  }
}
