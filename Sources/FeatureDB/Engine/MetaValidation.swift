/// Range checks of the values in the `meta` table, read from disk and so never trusted: a value
/// out of range is a typed error (``FeatureDBError/corruptStore(table:detail:)``), never a trap in
/// arithmetic over it and never a write that later reads cannot decode.
///
/// | key | valid | checked |
/// | --- | --- | --- |
/// | `format` | 1 … ``FeatureStore/formatVersion`` (above it: ``FeatureDBError/newerFormat(path:found:supported:)``) | open, verify |
/// | `epoch` | a valid ``Timestamp`` (write times are stored relative to it) | open, verify |
/// | `last_write_time` | a valid ``Timestamp`` below ``Timestamp/max`` (the next write is 1 µs later) | every write, verify |
/// | `catalog_version` | below 2⁶³ (each define adds 1) | every define, verify |
extension MetaStore {
  /// Format versions above this are damage, not a newer FeatureDB (which counts up by one).
  static let plausibleFormats: UInt64 = 1 << 16

  /// The format version, checked: missing is not a store, 0 or absurd is damage, above
  /// ``FeatureStore/formatVersion`` is a newer format.
  func checkedFormat(_ txn: borrowing some Transaction & ~Copyable, path: String) throws -> UInt32 {
    guard let format = try uint(txn, .format) else {
      throw FeatureDBError.notAStore(path: path, reason: "no format version")
    }
    guard format >= 1, format < Self.plausibleFormats else {
      throw FeatureDBError.corruptStore(
        table: "meta",
        detail: "format version \(format) is out of range (1…\(FeatureStore.formatVersion))")
    }
    guard format <= UInt64(FeatureStore.formatVersion) else {
      throw FeatureDBError.newerFormat(
        path: path, found: UInt32(format), supported: FeatureStore.formatVersion)
    }
    return UInt32(format)
  }

  /// The epoch, checked to be a valid time (nil when missing).
  func checkedEpoch(_ txn: borrowing some Transaction & ~Copyable) throws -> Int64? {
    guard let epoch = try int(txn, .epoch) else { return nil }
    guard Timestamp(microseconds: epoch).isValid else {
      throw FeatureDBError.corruptStore(
        table: "meta", detail: "epoch \(epoch)µs is outside 0001-01-01…9999-12-31")
    }
    return epoch
  }

  /// The last write time, checked, or nil before the first write.
  func checkedLastWriteTime(_ txn: borrowing some Transaction & ~Copyable) throws -> Int64? {
    guard let last = try int(txn, .lastWriteTime) else { return nil }
    guard last >= Timestamp.min.microseconds, last < Timestamp.max.microseconds else {
      throw FeatureDBError.corruptStore(
        table: "meta",
        detail: "last_write_time \(last)µs is outside 0001-01-01…9999-12-31; no write can follow it"
      )
    }
    return last
  }

  /// Takes the write time of a new batch or operation and stores it as the last one: after
  /// every earlier one (write times never go backwards, even when the clock does).
  func nextWriteTime(_ txn: borrowing WriteTransaction) throws -> Int64 {
    let last = try checkedLastWriteTime(txn)  // range-checked: never traps
    let time = max(Timestamp.now.microseconds, last.map { $0 + 1 } ?? .min)
    try set(txn, .lastWriteTime, UInt64(bitPattern: time))
    return time
  }

  /// Increments the catalog version (readers reload the catalog, operations and pending
  /// retractions), refusing to overflow.
  func bumpCatalogVersion(_ txn: borrowing WriteTransaction) throws {
    try set(txn, .catalogVersion, Self.nextCatalogVersion(uint(txn, .catalogVersion) ?? 0))
  }

  /// The catalog version after `current`, refusing to overflow.
  static func nextCatalogVersion(_ current: UInt64) throws -> UInt64 {
    guard current < 1 << 63 else {
      throw FeatureDBError.corruptStore(
        table: "meta", detail: "catalog_version \(current) is out of range (below 2^63)")
    }
    return current + 1
  }

  /// Every meta value out of range, as one message each (for verify).
  func problems(_ txn: borrowing some Transaction & ~Copyable, path: String) -> [String] {
    var found: [String] = []
    func collect(_ body: () throws -> Void) {
      do { try body() } catch { found.append("\(error)") }
    }
    collect { _ = try checkedFormat(txn, path: path) }
    collect {
      if try checkedEpoch(txn) == nil {
        throw FeatureDBError.corruptStore(table: "meta", detail: "epoch is missing")
      }
    }
    collect { _ = try checkedLastWriteTime(txn) }
    collect { _ = try Self.nextCatalogVersion(uint(txn, .catalogVersion) ?? 0) }
    return found
  }
}
