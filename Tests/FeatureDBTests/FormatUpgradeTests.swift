import Foundation
import Testing

@testable import FeatureDB

/// A store written by the format-1 code (Tests/Fixtures/format-v1) reads the same read-only,
/// upgrades in place when a writer opens it, and then reads and writes as the current format.
@Suite struct FormatUpgradeTests {
  static let fixture = StoreFixture("format-v1")

  /// What format-1 `fdb history --json` printed, one line per version.
  static func expectedHistory() throws -> [[String: Any]] { try fixture.history() }

  /// A copy of the fixture store.
  static func copyStore(_ dir: TemporaryDirectory) throws -> String {
    try fixture.copy(into: dir, as: "v1.fdb")
  }

  /// Every version of the fixture reads back as format 1 printed it (all but `expired`, which
  /// depends on today's date).
  static func expectSameHistory(_ db: FeatureStore) throws {
    let expected = try expectedHistory()
    #expect(expected.count == 315)
    try expectHistory(db, expected)
    #expect(try db.asOf("user.clicks", "u1", eventTime: t(2, seconds: 30)) == .int(120))
    #expect(try db.asOf("user.clicks", "u1", eventTime: t(-6)) == .int(-7))
  }

  @Test func readOnlyOpenReadsAVersionOneStore() throws {
    let dir = TemporaryDirectory()
    let path = try Self.copyStore(dir)
    let db = try FeatureStore(path: path, options: StoreOptions(readOnly: true))
    #expect(db.tables.v2 == nil)
    try Self.expectSameHistory(db)
    #expect(try db.operations().isEmpty)
  }

  @Test func aWriterUpgradesInPlace() throws {
    let dir = TemporaryDirectory()
    let path = try Self.copyStore(dir)
    let reader = try FeatureStore(path: path, options: StoreOptions(readOnly: true))
    do {
      let db = try FeatureStore(path: path)
      let format = try db.readTransaction { try MetaStore(table: db.tables.meta).uint($0, .format) }
      #expect(format == UInt64(FeatureStore.formatVersion))
      try Self.expectSameHistory(db)
      #expect(try db.verify().isClean)
      // The 301-version chain spills to segments on its next write; numbering goes on.
      let ref = try db.put("user.clicks", "u1", 1_000, eventTime: t(10))
      #expect(ref.version == 302)
      let head = try db.readTransaction { txn in
        try db.tables.chains.get(txn, key: Keys.chain(entity: 1, feature: 1))!
      }
      #expect(head.withUnsafeBytes(ChainRecord.hasSegments))
      try Self.expectSameHistory(db)
      #expect(try db.latest("user.clicks", "u1") == .int(1_000))
      #expect(try db.verify().isClean)
    }
    // A reader that opened the version-1 store is told to reopen, never shown half of it.
    #expect(throws: FeatureDBError.self) { try reader.latest("user.clicks", "u1") }
    let reopened = try FeatureStore(path: path, options: StoreOptions(readOnly: true))
    #expect(try reopened.latest("user.clicks", "u1") == .int(1_000))
  }
}

/// Every line of a fixture's `history.jsonl` (what `fdb history --json` printed when the
/// fixture was written) reads back the same from `db`, all but `expired`, which depends on
/// today's date.
func expectHistory(_ db: FeatureStore, _ expected: [[String: Any]]) throws {
  for line in expected {
    let (f, e) = (line["feature"] as! String, line["entity"] as! String)
    let version = (line["version"] as! NSNumber).uint64Value
    guard
      let v = try db.history(f, e, includeRetracted: true).first(where: { $0.version == version })
    else {
      Issue.record("\(f):\(e)@\(version) is missing")
      continue
    }
    #expect(v.eventTime.iso8601 == line["eventTime"] as? String)
    #expect(v.writeTime.iso8601 == line["writeTime"] as? String)
    #expect(v.status.rawValue == line["status"] as? String)
    #expect(v.lineage.producer == line["producer"] as? String)
    #expect(v.lineage.run == line["run"] as? String)
    #expect(v.lineage.source == line["source"] as? String)
    #expect(v.lineage.note == line["note"] as? String)
    let inputs = v.lineage.inputs.map { input -> String in
      if case .raw(let id) = input { return "raw:\(id)" }
      return input.description
    }
    #expect(inputs == line["inputs"] as? [String])
    switch (v.value, line["value"]) {
    case (nil, let json): #expect(json is NSNull)
    case (.int(let x)?, let json as NSNumber): #expect(x == json.int64Value)
    case (.double(let x)?, let json as NSNumber): #expect(x == json.doubleValue)
    case (.bool(let x)?, let json as NSNumber): #expect(x == json.boolValue)
    case (.string(let x)?, let json as String): #expect(x == json)
    case (.embedding(let x)?, let json as [NSNumber]): #expect(x == json.map(\.floatValue))
    case (let got, let json):
      Issue.record(
        "\(f):\(e)@\(version): \(String(describing: got)) vs \(String(describing: json))")
    }
  }
}
