import Foundation
import Testing

@testable import FeatureDB

@Suite struct CorruptionTests {
  let db: FeatureStore
  let dir: TemporaryDirectory

  init() throws {
    (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .double, ttl: .days(3650)))
    try db.define(FeatureDefinition("v", type: .embedding(dims: 32)))
    try db.write { b in
      for e in ["a", "b", "c"] {
        b.put("f", e, 1.5, eventTime: .now - .seconds(10))
        b.put("f", e, 2.5)
        b.put("v", e, (0..<32).map { Float($0) })
      }
    }
  }

  func chainKey(_ feature: String, _ entity: String) throws -> [UInt8] {
    try db.read { s in
      Keys.chain(
        entity: try db.entityTable.lookup(entity, s)!, feature: try s.catalog.feature(feature).id)
    }
  }

  /// Replaces the record under `key` in `table` with `change(record)`.
  func tamper(_ table: Table, _ key: [UInt8], _ change: (inout [UInt8]) -> Void) throws {
    try db.env.write { txn in
      var record = try #require(try table.get(txn, key: key))
      change(&record)
      try table.put(txn, key: key, value: record)
    }
  }

  @Test func crc32cMatchesTheStandardCheckValue() {
    #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    #expect(CRC32C.checksum([]) == 0)
  }

  @Test func aFlippedByteInAChainIsAnErrorNamingTheRecord() throws {
    let key = try chainKey("f", "b")
    try tamper(db.tables.chains, key) { $0[$0.count - 3] ^= 0x40 }
    let error = thrownError { _ = try db.latest("f", "b") }
    guard case .corruptRecord(let feature, let entity, _, let detail) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(feature == "f" && entity == "b")
    #expect(detail.hasPrefix("checksum mismatch"))
    // The rest of the store stays readable and writable.
    #expect(try db.latest("f", "a", as: Double.self) == 2.5)
    #expect(try db.latest("f", "c", as: Double.self) == 2.5)
    try db.put("f", "a", 3.5)
    // Writing onto the damaged chain refuses rather than overwriting history.
    #expect(throws: FeatureDBError.self) { try db.put("f", "b", 9.0) }
    let report = try db.verify()
    #expect(report.problemCount == 1)
    #expect(report.problems.first?.location == "feature 'f' entity 'b'")
  }

  @Test func everySingleByteFlipIsDetected() throws {
    let key = try chainKey("f", "c")
    let original = try db.readTransaction { try db.tables.chains.get($0, key: key)! }
    for i in original.indices {
      try tamper(db.tables.chains, key) { r in
        r = original
        r[i] ^= 0x01
      }
      #expect(throws: FeatureDBError.self, "byte \(i)") { _ = try db.history("f", "c") }
    }
  }

  @Test func aFlippedByteInAValueRecordNamesTheVersion() throws {
    let key = Keys.value(chain: try chainKey("v", "a"), version: 1)
    try tamper(db.tables.values, key) { $0[$0.count / 2] ^= 0xFF }
    expectError(
      .corruptRecord(
        feature: "v", entity: "a", version: 1, detail: "value record checksum mismatch")
    ) {
      _ = try db.latest("v", "a")
    }
    #expect(try db.latest("v", "b", as: [Float].self)?.count == 32)
    let report = try db.verify()
    #expect(
      report.problems.map(\.description) == [
        "values: feature 'v' entity 'a' version 1: value record checksum mismatch"
      ])
  }

  @Test func verifyIsCleanOnAHealthyStoreAndFindsBrokenIndexes() throws {
    let clean = try db.verify()
    #expect(clean.isClean)
    #expect(clean.records > 10)
    // Remove an expiry entry and an interned name: both are reported.
    try db.env.write { txn in
      let cursor = try Cursor(db.tables.expiry, txn)
      _ = try cursor.first()
      try cursor.deleteCurrent()
      try db.tables.entityNames.delete(txn, key: OrderedVarint.encode(3))
    }
    let report = try db.verify()
    #expect(!report.isClean)
    let text = report.problems.map(\.description).joined(separator: "\n")
    #expect(text.contains("no expiry index entry"))
    #expect(text.contains("missing from entity_names"))
  }

  @Test func verifyReportsProgress() throws {
    try db.write { b in for i in 0..<12_000 { b.put("f", "bulk\(i)", 1.0) } }
    nonisolated(unsafe) var calls: [(Int, Int)] = []
    let report = try db.verify { done, total in calls.append((done, total)) }
    #expect(report.isClean)
    #expect(calls.count >= 2)
    #expect(calls.last!.0 == report.records)
  }
}
