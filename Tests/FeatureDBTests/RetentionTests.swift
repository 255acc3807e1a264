import Testing

@testable import FeatureDB

@Suite struct RetentionTests {
  @Test func maxVersionsPrunesTheOldestInTheSameWrite() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 3))
    for i in 1...5 { try db.put("f", "e", i, eventTime: t(Int64(i))) }
    #expect(try db.history("f", "e").map(\.version) == [5, 4, 3])
    #expect(try db.put("f", "e", 6, eventTime: t(6)).version == 6)  // numbers keep counting
    _ = _dir
  }

  @Test func pruningRemovesTheOldestByEventTimeWithTies() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 2))
    try db.put("f", "e", 1, eventTime: t(5))
    try db.put("f", "e", 2, eventTime: t(5))
    try db.put("f", "e", 3, eventTime: t(9))
    // (t5,v1) is the oldest: pruned.
    #expect(try db.history("f", "e").map(\.version) == [3, 2])
    // A late event older than everything retained is pruned at once.
    try db.put("f", "e", 4, eventTime: t(1))
    #expect(try db.history("f", "e").map(\.version) == [3, 2])
    #expect(try db.latest("f", "e", as: Int.self) == 3)
    _ = _dir
  }

  @Test func asOfIntoPrunedHistorySaysSo() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 1))
    try db.put("f", "e", 1, eventTime: t(1))
    let w1 = try db.latestVersion("f", "e")!.writeTime
    try db.put("f", "e", 2, eventTime: t(2))
    expectError(.historyPruned(feature: "f", entity: "e", removed: 1)) {
      _ = try db.asOf("f", "e", eventTime: t(1))
    }
    expectError(.historyPruned(feature: "f", entity: "e", removed: 1)) {
      _ = try db.asOf("f", "e", writeTime: w1)
    }
    // Before the pruned version nothing existed: an honest nil.
    #expect(try db.asOf("f", "e", eventTime: t(0)) == nil)
    #expect(try db.asOf("f", "e", eventTime: t(2), as: Int.self) == 2)
    _ = _dir
  }

  @Test func raisingMaxVersionsThenWritingALateEventStaysHonest() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 1))
    try db.put("f", "e", 5, eventTime: t(5))
    try db.put("f", "e", 9, eventTime: t(9))  // prunes t5
    try db.updateRetention("f", maxVersions: 10)
    try db.put("f", "e", 3, eventTime: t(3))
    // At t6 the answer would be the pruned t5 value, not t3.
    expectError(.historyPruned(feature: "f", entity: "e", removed: 1)) {
      _ = try db.asOf("f", "e", eventTime: t(6))
    }
    #expect(try db.asOf("f", "e", eventTime: t(4), as: Int.self) == 3)
    _ = _dir
  }

  @Test func ttlBoundaryIsInclusive() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, ttl: .hours(1)))
    try db.put("f", "e", 1, eventTime: t(10))
    let tick = TimeSpan(microseconds: 1)
    #expect(try db.asOf("f", "e", eventTime: t(10) - tick) == nil)
    #expect(try db.asOf("f", "e", eventTime: t(10), as: Int.self) == 1)
    #expect(try db.asOf("f", "e", eventTime: t(11) - tick, as: Int.self) == 1)
    #expect(try db.asOf("f", "e", eventTime: t(11), as: Int.self) == 1)  // T = eventTime + ttl: still valid
    #expect(try db.asOf("f", "e", eventTime: t(11) + tick) == nil)  // one tick after: expired
    _ = _dir
  }

  @Test func expiredValuesAreInvisibleToLatest() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, ttl: .seconds(60)))
    try db.put("f", "old", 1, eventTime: .now - .seconds(61))
    try db.put("f", "fresh", 2, eventTime: .now - .seconds(30))
    #expect(try db.latest("f", "old") == nil)
    #expect(try db.latest("f", "fresh", as: Int.self) == 2)
    #expect(try db.latest(features: ["f"], entities: ["old", "fresh"]) == [[nil], [.int(2)]])
    _ = _dir
  }

  @Test func ttlFallsBackToAnOlderValueOnlyWhenItIsStillValid() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, ttl: .hours(2)))
    try db.put("f", "e", 1, eventTime: t(0))
    try db.put("f", "e", 2, eventTime: t(1))
    #expect(try db.asOf("f", "e", eventTime: t(2), as: Int.self) == 2)
    #expect(try db.asOf("f", "e", eventTime: t(3), as: Int.self) == 2)
    #expect(try db.asOf("f", "e", eventTime: t(3, seconds: 1)) == nil)
    _ = _dir
  }
}

/// Issue 13, item 10e: a read at a write time before any removed version was written is "no
/// value" (nothing was known then), not "history removed".
@Suite struct RemovedHistoryWriteTimeTests {
  @Test func beforeTheFirstWriteThereIsNoValue() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 1))
    try db.put("f", "other", 0)
    let before = try db.history("f", "other").first!.writeTime
    try db.put("f", "u1", 1, eventTime: t(1))
    let between = try db.history("f", "u1").first!.writeTime
    try db.put("f", "u1", 2, eventTime: t(2))  // prunes version 1
    #expect(try db.asOf("f", "u1", writeTime: before) == nil)
    #expect(try db.asOf("f", "u1", eventTime: t(5), writeTime: before) == nil)
    // Version 1 was visible at `between`, and it is gone: still "history removed".
    #expect(throws: FeatureDBError.historyPruned(feature: "f", entity: "u1", removed: 1)) {
      try db.asOf("f", "u1", writeTime: between)
    }
    #expect(try db.latest("f", "u1") == .int(2))
    try expectClean(db)
  }
}
