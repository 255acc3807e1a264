import Foundation
import Testing

@testable import FeatureDB

/// Long histories: a chain's head keeps its newest entries and older ones move to segments.
/// Every read must answer as if the chain were one record (a reference model checks it).
@Suite struct ChainSegmentTests {
  /// One written version in the model.
  struct Written {
    var version: UInt64
    var eventTime: Timestamp
    var value: Int64
  }

  /// Chain order: event time descending, then version descending.
  static func newer(_ a: Written, _ b: Written) -> Bool {
    a.eventTime != b.eventTime ? a.eventTime > b.eventTime : a.version > b.version
  }

  /// Writes `count` versions in batches, mostly in event-time order with some late events and
  /// equal times; returns the model.
  static func fill(
    _ db: FeatureStore, _ feature: String, count: Int, seed: UInt64
  ) throws -> [Written] {
    var rng = SplitMix64(seed: seed)
    var model: [Written] = []
    var clock: Int64 = 0
    while model.count < count {
      let n = min(count - model.count, 1 + Int(rng.next() % 40))
      let batch: [(Timestamp, Int64)] = (0..<n).map { _ in
        let roll = rng.next() % 10
        if roll == 0 {  // a late event
          return (t(0, minutes: Int64(rng.next() % UInt64(clock + 1))), Int64(rng.next() % 1000))
        }
        if roll != 1 { clock += 1 }  // roll 1: the same time again
        return (t(0, minutes: clock), Int64(rng.next() % 1000))
      }
      try db.write { b in
        for (time, value) in batch { b.put(feature, "u1", .int(value), eventTime: time) }
      }
      for (time, value) in batch {
        model.append(Written(version: UInt64(model.count + 1), eventTime: time, value: value))
      }
    }
    return model
  }

  static func expectReadsMatch(
    _ db: FeatureStore, _ feature: String, retained: [Written], seed: UInt64
  ) throws {
    let byVersion = retained.sorted { $0.version > $1.version }
    let history = try db.history(feature, "u1")
    #expect(history.map(\.version) == byVersion.map(\.version))
    #expect(history.map { $0.value?.int.map(Int64.init) } == byVersion.map { $0.value })
    #expect(
      try db.history(feature, "u1", limit: 10).map(\.version) == byVersion.prefix(10).map(\.version)
    )
    let newest = retained.sorted(by: newer)
    #expect(try db.latest(feature, "u1") == .int(newest[0].value))
    var rng = SplitMix64(seed: seed)
    let oldest = newest.last!.eventTime
    let span = UInt64((newest[0].eventTime.microseconds - oldest.microseconds) / 60_000_000 + 2)
    for _ in 0..<300 {
      let at = oldest + .minutes(Int64(rng.next() % span))
      let expected = newest.first { $0.eventTime <= at }
      #expect(try db.asOf(feature, "u1", eventTime: at) == expected.map { .int($0.value) })
    }
  }

  @Test func longHistoriesReadLikeOneRecord() throws {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("ChainSegmentTests seed \(seed)")
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("clicks", type: .int, maxVersions: 0))
    let model = try Self.fill(db, "clicks", count: 1_500, seed: seed)
    let head = try db.readTransaction { txn in
      try db.tables.chains.get(txn, key: Keys.chain(entity: 1, feature: 1))!
    }
    #expect(head.withUnsafeBytes(ChainRecord.hasSegments), "1,500 versions use segments")
    let segments = try db.readTransaction { try db.tables.v2!.segments.count($0) }
    #expect(segments >= 1_500 / ChainUpdate.segmentLimit)
    try Self.expectReadsMatch(db, "clicks", retained: model, seed: seed)
    try expectClean(db)
    #expect(try db.stats().features.first { $0.name == "clicks" }?.versions == 1_500)
  }

  @Test func pruningReachesIntoSegments() throws {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("ChainSegmentTests prune seed \(seed)")
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("clicks", type: .int, maxVersions: 300))
    let model = try Self.fill(db, "clicks", count: 1_000, seed: seed)
    // The store keeps the 300 newest in chain order.
    let retained = Array(model.sorted(by: Self.newer).prefix(300))
    try Self.expectReadsMatch(db, "clicks", retained: retained, seed: seed)
    try expectClean(db)
    // Lowering max-versions prunes through the segments too.
    try db.updateRetention("clicks", maxVersions: 120)
    #expect(try db.prune("clicks").pruned == 180)
    try Self.expectReadsMatch(
      db, "clicks", retained: Array(retained.prefix(120)), seed: seed)
    try expectClean(db)
  }

  @Test func newVersionsContinueAfterSegments() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("clicks", type: .int, maxVersions: 0))
    for i in 0..<5 {
      try db.write { b in
        for j in 0..<100 {
          b.put("clicks", "u1", .int(Int64(i * 100 + j)), eventTime: t(Int64(i * 100 + j)))
        }
      }
    }
    let ref = try db.put("clicks", "u1", 7, eventTime: t(-10))  // older than everything
    #expect(ref.version == 501)
    #expect(try db.asOf("clicks", "u1", eventTime: t(-5)) == .int(7))
    #expect(try db.latest("clicks", "u1") == .int(499))
    #expect(try db.history("clicks", "u1", limit: 1).first?.version == 501)
    try expectClean(db)
  }
}

/// Verify finds nothing wrong (its first problems are printed when it does).
func expectClean(_ db: FeatureStore, sourceLocation: SourceLocation = #_sourceLocation) throws {
  let report = try db.verify()
  #expect(
    report.isClean, "\(report.problems.prefix(5).map(\.description))",
    sourceLocation: sourceLocation)
}
