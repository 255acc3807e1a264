/// Keeps the `values` and `expiry` tables in step with one chain as versions come and go.
struct Retention {
  let store: FeatureStore
  let feature: Feature
  let chainKey: [UInt8]
  let entity: UInt64

  /// Deletes what a removed (pruned or vacuumed) stored version left in other tables.
  func forget(_ piece: ChainUpdate.Piece, _ txn: borrowing WriteTransaction) throws {
    try forgetValue(piece, txn)
    if let ttl = feature.ttl {
      try store.tables.expiry.delete(txn, key: expiryKey(piece.version, piece.eventTime, ttl))
    }
  }

  /// Deletes the value record of a removed version stored out of line.
  func forgetValue(_ piece: ChainUpdate.Piece, _ txn: borrowing WriteTransaction) throws {
    guard piece.isExternal else { return }
    try store.tables.values.delete(txn, key: Keys.value(chain: chainKey, version: piece.version))
  }

  /// Adds a version to the expiry index when its feature has a TTL.
  func indexExpiry(version: UInt64, eventTime: Int64, _ txn: borrowing WriteTransaction) throws {
    guard let ttl = feature.ttl else { return }
    try store.tables.expiry.put(txn, key: expiryKey(version, eventTime, ttl), value: [])
  }

  func expiryKey(_ version: UInt64, _ eventTime: Int64, _ ttl: Int64) -> [UInt8] {
    Keys.expiry(
      at: Self.expiry(eventTime, ttl), entity: entity, feature: feature.id, version: version)
  }

  /// `eventTime + ttl`, saturating: the last instant the version is visible.
  static func expiry(_ eventTime: Int64, _ ttl: Int64) -> Int64 {
    let (sum, overflow) = eventTime.addingReportingOverflow(ttl)
    return overflow ? .max : sum
  }
}
