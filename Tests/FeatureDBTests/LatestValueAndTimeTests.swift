import Foundation
import Testing

@testable import FeatureDB

/// `latestValueAndTime` (a serving read without lineage) answers as `latestVersion` does, in
/// every state a pair can be in, and its batch form `latestValuesAndTimes` as it does.
@Suite struct LatestValueAndTimeTests {
  /// A store with pairs in every state: a value, a late event, a value in `values`, a delete,
  /// a rollback, no version, expired, fresh.
  func storeInEveryState() throws -> (FeatureStore, TemporaryDirectory, [(String, String)]) {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .string, maxVersions: 0))
    try db.define(FeatureDefinition("short", type: .int, ttl: .hours(1)))
    try db.put("f", "value", "a", eventTime: t(1))
    try db.put("f", "value", "b", eventTime: t(3))
    try db.put("f", "late", "x", eventTime: t(5))
    try db.put("f", "late", "older", eventTime: t(4))  // a late event: not the latest by time
    try db.put("f", "big", String(repeating: "z", count: 100_000), eventTime: t(2))
    try db.put("f", "deleted", "gone", eventTime: t(1))
    try db.delete("f", "deleted", eventTime: t(2))
    try db.put("f", "rolled", "kept", eventTime: t(1), lineage: Lineage(run: "good"))
    try db.put("f", "rolled", "bad", eventTime: t(2), lineage: Lineage(run: "bad"))
    try db.rollback(.run("bad"))
    try db.put("short", "expired", 1, eventTime: Timestamp(microseconds: 0))
    try db.put("short", "fresh", 2)
    let pairs = [
      ("f", "value"), ("f", "late"), ("f", "big"), ("f", "deleted"), ("f", "rolled"),
      ("f", "never"), ("short", "expired"), ("short", "fresh"),
    ]
    return (db, dir, pairs)
  }

  @Test func answersAsLatestVersion() throws {
    let (db, dir, pairs) = try storeInEveryState()
    _ = dir
    try db.read { s in
      for (f, e) in pairs {
        let version = try s.latestVersion(f, e)
        let cell = try s.latestValueAndTime(f, e)
        #expect(cell?.value == version?.value, "\(f):\(e)")
        #expect(cell?.eventTime == version?.eventTime, "\(f):\(e)")
        #expect((cell == nil) == (version == nil), "\(f):\(e)")
      }
      #expect(try s.latestValueAndTime("f", "late")?.value == .string("x"))
      #expect(try s.latestValueAndTime("f", "rolled")?.value == .string("kept"))
      #expect(try s.latestValueAndTime("short", "expired") == nil)
      let deleted = try #require(try s.latestValueAndTime("f", "deleted"))
      #expect(deleted.value == nil && deleted.eventTime == t(2))
    }
    #expect(throws: FeatureDBError.self) { try db.read { try $0.latestValueAndTime("nope", "e") } }
  }

  @Test func theBatchFormAnswersAsSingleReads() throws {
    let (db, dir, pairs) = try storeInEveryState()
    _ = dir
    try db.define(FeatureDefinition("g", type: .int))
    try db.put("g", "value", 7, eventTime: t(9))
    let features = ["short", "g", "f"]  // not in id order
    let entities = Array(Set(pairs.map(\.1))).sorted() + ["value", "never"]
    try db.read { s in
      let rows = try s.latestValuesAndTimes(features: features, entities: entities)
      #expect(rows.count == entities.count)
      for (row, entity) in zip(rows, entities) {
        #expect(row.count == features.count)
        for (cell, feature) in zip(row, features) {
          let single = try s.latestValueAndTime(feature, entity)
          #expect(cell?.value == single?.value, "\(feature):\(entity)")
          #expect(cell?.eventTime == single?.eventTime, "\(feature):\(entity)")
          #expect((cell == nil) == (single == nil), "\(feature):\(entity)")
        }
      }
      #expect(rows[entities.firstIndex(of: "value")!][1]?.value == .int(7))
      #expect(try s.latestValuesAndTimes(features: features, entities: []).isEmpty)
    }
    #expect(throws: FeatureDBError.unknownFeature("nope")) {
      try db.read { try $0.latestValuesAndTimes(features: ["f", "nope"], entities: ["value"]) }
    }
    // With every read's path checked, the same answers.
    func rows(_ store: FeatureStore) throws -> String {
      try store.read {
        "\(try $0.latestValuesAndTimes(features: features, entities: entities))"
      }
    }
    let checked = try FeatureStore(
      path: db.path, options: StoreOptions(readOnly: true, checkPages: true))
    #expect(try rows(checked) == rows(db))
  }
}
