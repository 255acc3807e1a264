import Foundation

/// Typed access to the `meta` table: ASCII keys, little-endian integers, byte strings.
struct MetaStore {
  let table: Table

  enum Key: String {
    case magic, format, epoch
    case storeID = "store_id"
    case createdBy = "created_by"
    case catalogVersion = "catalog_version"
    case lastWriteTime = "last_write_time"
    case upgradedFrom = "upgraded_from"
    case nextOperation = "next_operation"
    case lastChange = "last_change"
    case changesTrimmed = "changes_trimmed"
    case changeRetention = "change_retention"
  }

  static let magic = Array("FeatureDB".utf8)

  func bytes(_ txn: borrowing some Transaction & ~Copyable, _ key: Key) throws -> [UInt8]? {
    try table.get(txn, key: Array(key.rawValue.utf8))
  }

  func uint(_ txn: borrowing some Transaction & ~Copyable, _ key: Key) throws -> UInt64? {
    try Array(key.rawValue.utf8).withUnsafeBytes { k in
      try table.withValue(txn, key: k) { v in
        guard let v else { return nil }
        guard v.count == 8 else {
          throw FeatureDBError.corruptStore(
            table: "meta", detail: "\(key.rawValue) has \(v.count) bytes, expected 8")
        }
        return UInt64(littleEndian: v.loadUnaligned(as: UInt64.self))
      }
    }
  }

  func int(_ txn: borrowing some Transaction & ~Copyable, _ key: Key) throws -> Int64? {
    try uint(txn, key).map { Int64(bitPattern: $0) }
  }

  func set(_ txn: borrowing WriteTransaction, _ key: Key, _ value: [UInt8]) throws {
    try table.put(txn, key: Array(key.rawValue.utf8), value: value)
  }

  func set(_ txn: borrowing WriteTransaction, _ key: Key, _ value: UInt64) throws {
    try set(txn, key, withUnsafeBytes(of: value.littleEndian) { Array($0) })
  }

  /// Writes the identity of a new store.
  func initialize(_ txn: borrowing WriteTransaction) throws {
    try set(txn, .magic, Self.magic)
    try set(txn, .format, UInt64(FeatureStore.formatVersion))
    try set(txn, .epoch, UInt64(bitPattern: Timestamp.now.microseconds))
    try set(txn, .storeID, Array(UUID().uuidString.lowercased().utf8))
    try set(txn, .createdBy, Array("FeatureDB \(FeatureStore.formatVersion)".utf8))
    try set(txn, .catalogVersion, 0)
  }

  /// Upgrades a store of an older format in place (the newer tables are already created):
  /// version-1 chain records are valid heads of format 2, so nothing else is rewritten. The
  /// change feed of an upgraded store begins after sequence number 1, which stands for its
  /// whole history before the upgrade and is never retained: a consumer starting from 0 is
  /// told to take a snapshot first.
  func upgrade(_ txn: borrowing WriteTransaction, from format: UInt32) throws {
    try set(txn, .format, UInt64(FeatureStore.formatVersion))
    if format < 3 {
      try set(txn, .lastChange, 1)
      try set(txn, .changesTrimmed, 1)
    }
    try set(
      txn, .upgradedFrom,
      Array("format \(format) at \(Timestamp.now) by FeatureDB \(FeatureStore.formatVersion)".utf8))
    // Readers that opened the version-1 store read-only notice the change and ask to reopen.
    try bumpCatalogVersion(txn)
  }
}
