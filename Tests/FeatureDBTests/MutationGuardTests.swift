import CLMDB
import Foundation
import Testing

@testable import FeatureDB

/// Behaviour a mutation check found unguarded (issue 13, item 11). Each test names the mutation
/// it catches; docs/reliability.md lists them.
@Suite struct MutationGuardTests {
  /// Mutation (a): `r.maxEventTime >= lo` → `>` in `Snapshot.checkRemovedHistory`. A pruned
  /// version whose event time is exactly T − ttl is valid at T (inclusive bound), so a read at T
  /// needs it: "history pruned", never a silent "no value".
  @Test func aReadAtTheExactTTLBoundaryOfPrunedHistorySaysPruned() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 1, ttl: .hours(1)))
    try db.put("f", "e", 1, eventTime: t(0))
    try db.put("f", "e", 2, eventTime: t(2))  // prunes version 1
    expectError(.historyPruned(feature: "f", entity: "e", removed: 1)) {
      _ = try db.asOf("f", "e", eventTime: t(1))
    }
    // One microsecond later version 1 has expired: no value, rightly.
    #expect(try db.asOf("f", "e", eventTime: t(1) + TimeSpan(microseconds: 1)) == nil)
  }

  /// Mutation (b): the snapshot export no longer counting (or refusing) removed history.
  @Test func aSnapshotExportRefusesOrCountsRemovedHistory() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 1))
    try db.define(FeatureDefinition("g", type: .int))
    try db.put("f", "e1", 1, eventTime: t(0))
    try db.put("f", "e1", 2, eventTime: t(5))
    try db.put("g", "e1", 7, eventTime: t(0))
    try db.put("f", "e2", 3, eventTime: t(0))
    let out = dir.child("snap.csv")
    let cell = MissingHistoryCell(
      feature: "f", entity: "e1", eventTime: t(1), removedBy: .pruning)
    expectError(.exportNeedsRemovedHistory(cells: 1, first: [cell])) {
      try db.exportSnapshot(to: out, options: ExportOptions(features: ["f", "g"], eventTime: t(1)))
    }
    #expect(!FileManager.default.fileExists(atPath: out))
    let summary = try db.exportSnapshot(
      to: out,
      options: ExportOptions(features: ["f", "g"], eventTime: t(1), allowMissingHistory: true))
    #expect(summary.missingHistoryCells == 1)
    #expect(
      String(decoding: FileManager.default.contents(atPath: out)!, as: UTF8.self)
        == "entity_id,f,g\ne1,,7\ne2,3,\n")
  }

  /// Mutation (c): `latest` ignoring versions whose event time is in the future.
  @Test func latestReturnsAFutureEventTimeAsOfNowDoesNot() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int))
    let now = Timestamp.now
    try db.put("f", "e", 1, eventTime: now - .hours(1))
    try db.put("f", "e", 2, eventTime: now + .days(1))
    #expect(try db.latest("f", "e", as: Int64.self) == 2)
    #expect(try db.asOf("f", "e", eventTime: now)?.int == 1)
  }

  /// Mutation (d): the write-time guards (never backwards, strictly increasing) removed.
  @Test func writeTimesNeverGoBackwardsAndStrictlyIncrease() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int))
    // A clock that went back an hour: the last write time is ahead of it.
    let ahead = Timestamp.now + .hours(1)
    try db.env.write { txn in
      try MetaStore(table: db.tables.meta).set(
        txn, .lastWriteTime, UInt64(bitPattern: ahead.microseconds))
    }
    let first = try db.put("f", "e", 0)
    _ = first
    var last = ahead
    for i in 1...300 {
      try db.put("f", "e\(i % 3)", Int64(i))
      let w = try #require(try db.latestVersion("f", "e\(i % 3)")).writeTime
      #expect(w > last, "write \(i): \(w) is not after \(last)")
      last = w
    }
  }

  /// Mutation (e): adopting a map grown by another process (`MDB_MAP_RESIZED`) disabled. The
  /// child writes 2 MB, so data.mdb outgrows this process's 256 KiB map.
  @Test func aMapGrownByAnotherProcessIsAdopted() throws {
    let dir = TemporaryDirectory()
    let path = dir.child("s")
    let db = try FeatureStore(path: path, options: StoreOptions(mapSize: 256 * 1024))
    try db.define(FeatureDefinition("pad", type: .bytes))
    let before = db.env.currentMapSize
    let (status, _, err) = try run(productPath("fdb-test-child"), ["write-big", path, "2000000"])
    #expect(status == 0, "\(err)")
    let size = try FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as! Int
    #expect(size > before, "the child did not grow data.mdb past this process's map")
    #expect(try db.latest("child.big", "b19", as: [UInt8].self)?.count == 100_000)
    #expect(db.env.currentMapSize > before)
    try db.put("pad", "p", [UInt8](repeating: 1, count: 100))
    #expect(try db.latest("pad", "p", as: [UInt8].self)?.count == 100)
  }
}
