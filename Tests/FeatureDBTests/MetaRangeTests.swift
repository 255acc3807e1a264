import Foundation
import Testing

@testable import FeatureDB

/// Meta values out of range (issue 13, item 6): a typed error at open, at the write that would
/// use them, and in verify; never a trap, never a write no read can decode.
@Suite struct MetaRangeTests {
  let dir = TemporaryDirectory()

  /// A store with one value, whose meta `key` is then set to `value`; returns its path.
  func store(with key: MetaStore.Key, _ value: UInt64) throws -> String {
    let path = dir.child("store-\(key.rawValue)-\(value)")
    let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
    try db.define(FeatureDefinition("n", type: .int))
    try db.put("n", "e", 1)
    try db.env.write { txn in try MetaStore(table: db.tables.meta).set(txn, key, value) }
    return path
  }

  func expectCorruptMeta(_ error: FeatureDBError?, _ needle: String) {
    guard case .corruptStore(table: "meta", let detail) = error else {
      Issue.record("expected corrupt meta (\(needle)), got \(String(describing: error))")
      return
    }
    #expect(detail.contains(needle), "\(detail)")
  }

  @Test func formatOutOfRangeIsRefusedAtOpen() throws {
    for bad: UInt64 in [0, 1 << 32, UInt64.max] {
      let path = try store(with: .format, bad)
      expectCorruptMeta(thrownError { _ = try FeatureStore(path: path) }, "format version \(bad)")
    }
    // Just above this build's version is a newer format, not damage.
    let newer = try store(with: .format, UInt64(FeatureStore.formatVersion) + 1)
    expectError(
      .newerFormat(
        path: newer, found: FeatureStore.formatVersion + 1, supported: FeatureStore.formatVersion)
    ) { _ = try FeatureStore(path: newer) }
  }

  @Test func epochOutOfRangeIsRefusedAtOpen() throws {
    for bad in [Int64.min, Int64.max, Timestamp.max.microseconds + 1] {
      let path = try store(with: .epoch, UInt64(bitPattern: bad))
      expectCorruptMeta(thrownError { _ = try FeatureStore(path: path) }, "epoch \(bad)")
    }
  }

  @Test func lastWriteTimeOutOfRangeStopsWritesNotReads() throws {
    for bad in [Int64.max, Timestamp.max.microseconds, Int64.min] {
      let path = try store(with: .lastWriteTime, UInt64(bitPattern: bad))
      let db = try FeatureStore(path: path)
      #expect(try db.latest("n", "e", as: Int64.self) == 1)
      expectCorruptMeta(thrownError { try db.put("n", "e", 2) }, "last_write_time")
      #expect(try db.latest("n", "e", as: Int64.self) == 1)
      let report = try db.verify()
      #expect(report.problems.map(\.table) == ["meta"])
      #expect(report.problems.first?.message.contains("last_write_time") == true)
    }
  }

  @Test func catalogVersionOutOfRangeStopsDefinesNotReads() throws {
    let path = try store(with: .catalogVersion, UInt64.max)
    let db = try FeatureStore(path: path)
    #expect(try db.latest("n", "e", as: Int64.self) == 1)
    expectCorruptMeta(
      thrownError { try db.define(FeatureDefinition("m", type: .int)) }, "catalog_version")
    #expect(try db.feature("m") == nil)
    #expect(try db.verify().problems.map(\.table) == ["meta"])
  }
}
