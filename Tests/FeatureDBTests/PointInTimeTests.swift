import Foundation
import Testing

@testable import FeatureDB

/// Point-in-time reads into memory and streamed, and the entities of a feature.
@Suite struct PointInTimeTests {
  let db: FeatureStore
  let dir: TemporaryDirectory

  init() throws {
    (db, dir) = try makeStore()
    try db.define(FeatureDefinition("spend", type: .double, ttl: .hours(2)))
    try db.define(FeatureDefinition("segment", type: .string))
    try db.put("spend", "u1", 1.0, eventTime: t(1))
    try db.put("spend", "u1", 3.0, eventTime: t(3))
    try db.put("segment", "u1", "a", eventTime: t(0))
    try db.delete("segment", "u1", eventTime: t(4))
    try db.put("spend", "u2", 7.0, eventTime: t(2))
  }

  @Test func eachRowGetsItsValuesAsOfItsOwnTime() throws {
    let rows = [
      EntityRow("u1", t(0, minutes: 30)), EntityRow("u1", t(1)), EntityRow("u1", t(2, minutes: 59)),
      EntityRow("u1", t(5)), EntityRow("u1", t(5) + TimeSpan(microseconds: 1)),
      EntityRow("u2", t(2)),
      EntityRow("nobody", t(9)), EntityRow("u1", t(1)),
    ]
    let got = try db.pointInTime(features: ["spend", "segment"], rows: rows)
    #expect(got.map(\.entity) == rows.map(\.entity))
    #expect(got.map(\.eventTime) == rows.map(\.eventTime))
    let expected: [[FeatureValue?]] = [
      [nil, .string("a")], [.double(1), .string("a")], [.double(1), .string("a")],
      [.double(3), nil], [nil, nil], [.double(7), nil], [nil, nil], [.double(1), .string("a")],
    ]
    #expect(got.map(\.values) == expected)
    #expect(got.allSatisfy { $0.missingHistory.isEmpty })
    // The same answers as asOf, cell by cell.
    for row in got {
      for (i, feature) in ["spend", "segment"].enumerated() {
        #expect(row.values[i] == (try db.asOf(feature, row.entity, eventTime: row.eventTime)))
      }
    }
    #expect(got[1].value("spend", in: ["spend", "segment"]) == .double(1))
  }

  @Test func streamingHandsRowsOneAtATimeFromALazySequence() throws {
    let rows = (0..<10_000).lazy.map { i in EntityRow(i % 2 == 0 ? "u1" : "u2", t(Int64(i % 6))) }
    var count = 0
    var sum = 0.0
    try db.pointInTime(features: ["spend"], rows: rows) { row in
      count += 1
      sum += row.values[0]?.double ?? 0
    }
    #expect(count == 10_000)
    // Per 6 rows: u1@0 nil, u2@1 nil, u1@2 1.0, u2@3 7.0, u1@4 3.0, u2@5 nil (7.0 expired at 4).
    #expect(sum == 1666 * 11.0 + 1.0 + 7.0)  // 10,000 = 6 × 1666 + 4 rows
  }

  @Test func aWriteTimeReadsWhatTheStoreKnewThen() throws {
    let w = try #require(try db.history("spend", "u1").first?.writeTime)
    try db.put("spend", "u1", 99.0, eventTime: t(3, minutes: 30))
    let rows = [EntityRow("u1", t(4))]
    #expect(
      try db.pointInTime(features: ["spend"], rows: rows, writeTime: w)[0].values == [.double(3)])
    #expect(try db.pointInTime(features: ["spend"], rows: rows)[0].values == [.double(99)])
  }

  @Test func removedHistoryThrowsOrIsListedOnRequest() throws {
    try db.define(FeatureDefinition("few", type: .int, maxVersions: 1))
    try db.put("few", "u1", 1, eventTime: t(1))
    try db.put("few", "u1", 2, eventTime: t(5))
    let rows = [EntityRow("u1", t(6)), EntityRow("u1", t(2))]
    expectError(.historyPruned(feature: "few", entity: "u1", removed: 1)) {
      _ = try db.pointInTime(features: ["spend", "few"], rows: rows)
    }
    let got = try db.pointInTime(features: ["spend", "few"], rows: rows, allowMissingHistory: true)
    #expect(got[0].values == [nil, .int(2)] && got[0].missingHistory.isEmpty)
    #expect(got[1].values == [.double(1), nil])
    #expect(
      got[1].missingHistory == [
        MissingHistoryCell(feature: "few", entity: "u1", eventTime: t(2), removedBy: .pruning)
      ])
  }

  @Test func badInputIsNamed() throws {
    expectError(.unknownFeature("nope")) {
      _ = try db.pointInTime(features: ["nope"], rows: [EntityRow("u1", t(1))])
    }
    let error = thrownError {
      _ = try db.pointInTime(
        features: ["spend"], rows: [EntityRow("u1", Timestamp(microseconds: .max))])
    }
    guard case .timeOutOfRange = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
  }

  @Test func entitiesOfAFeatureInIdOrderWithPrefixPagingAndLimit() throws {
    try db.define(FeatureDefinition("other", type: .int))
    for i in [3, 1, 10, 2] { try db.put("other", "e\(i)", Int64(i)) }
    #expect(try db.entities(of: "spend") == ["u1", "u2"])
    #expect(try db.entities(of: "segment") == ["u1"])  // a tombstone is a retained version
    #expect(try db.entities(of: "other") == ["e1", "e10", "e2", "e3"])
    #expect(try db.entities(of: "other", limit: 2) == ["e1", "e10"])
    #expect(try db.entities(of: "other", after: "e10", limit: 2) == ["e2", "e3"])
    #expect(try db.entities(of: "other", prefix: "e1") == ["e1", "e10"])
    #expect(try db.entities(of: "other", prefix: "e1", after: "e1") == ["e10"])
    #expect(try db.entities(of: "other", after: "a") == ["e1", "e10", "e2", "e3"])
    #expect(try db.entities(of: "other", limit: 0).isEmpty)
    expectError(.unknownFeature("nope")) { _ = try db.entities(of: "nope") }
    try db.define(FeatureDefinition("empty", type: .int))
    #expect(try db.entities(of: "empty").isEmpty)
  }
}
