import Foundation
import Testing

@testable import FeatureDB

/// Rollbacks seen from other processes, and killed part-way.
@Suite(.serialized) struct RollbackProcessTests {
  /// Versions the run wrote: 45,000, or 1,000,000 in the long mode (`FDB_LONG=1`).
  static let versions = ProcessInfo.processInfo.environment["FDB_LONG"] == "1" ? 1_000_000 : 45_000

  /// A store where run `big` wrote `versions` versions of `rb.f`, one per entity e0, e1 …
  static func store(_ dir: TemporaryDirectory) throws -> String {
    let path = dir.child("store")
    let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
    try db.define(FeatureDefinition("rb.f", type: .int))
    for start in stride(from: 0, to: versions, by: 100_000) {
      try db.write { b in
        b.lineage = Lineage(run: "big")
        for i in start..<min(start + 100_000, versions) { b.put("rb.f", "e\(i)", .int(Int64(i))) }
      }
    }
    try db.sync()
    return path
  }

  /// A reader process polling every version of the run in one snapshot sees all of them, then
  /// none: never part of a rollback applied in many transactions.
  @Test func aReaderInAnotherProcessNeverSeesHalfARollback() throws {
    let dir = TemporaryDirectory()
    let path = try Self.store(dir)
    let watcher = try ChildProcess(
      productPath("fdb-test-child"), ["watch-run", path, "rb.f", String(Self.versions)],
      stderrPath: dir.child("stderr"))
    #expect(watcher.readLine() == "all")
    let db = try FeatureStore(path: path)
    _ = try db.recordRollback(.run("big"), RollbackOptions())
    var steps = 0
    let step = Self.versions / 20
    while !(try db.applyPendingRetractions(step: step, maxSteps: 1).isEmpty) { steps += 1 }
    #expect(steps >= 20)
    #expect(watcher.readLine() == "none")
    watcher.closeStdin()
    #expect(watcher.readToEnd().isEmpty, "the reader saw part of the rollback")
    #expect(watcher.exitCode == 0)
  }

  /// Killed at random points of a rollback, the store holds the whole rollback or none of it,
  /// and the next writer finishes applying it.
  @Test func aKilledRollbackIsAllOrNothing() throws {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("RollbackProcessTests seed \(seed)")
    var rng = SplitMix64(seed: seed)
    var recorded = 0
    for round in 0..<6 {
      let dir = TemporaryDirectory()
      let path = try Self.store(dir)
      let child = try ChildProcess(
        productPath("fdb-test-child"), ["rollback", path, "big"], stderrPath: dir.child("stderr"))
      #expect(child.readLine() == "rolling back")
      pause(milliseconds: Int(rng.next() % [2, 10, 60, 400][round % 4]))
      child.kill()
      _ = child.readToEnd()
      let db = try FeatureStore(path: path)
      let ops = try db.operations()
      let visible = try db.read { snap in
        try (0..<Self.versions).count { try snap.latest("rb.f", "e\($0)") != nil }
      }
      if ops.isEmpty {
        #expect(visible == Self.versions, "round \(round): nothing recorded, all visible")
      } else {
        recorded += 1
        #expect(visible == 0, "round \(round): recorded, so none visible (saw \(visible))")
        try db.applyPendingRetractions()
        #expect(try db.operations().first?.versions == Self.versions)
      }
      try expectClean(db)
    }
    print("RollbackProcessTests: \(recorded) of 6 kills after the rollback was recorded")
  }
}
