import Foundation
import Testing

@testable import FeatureDB

/// A version's lineage inputs name versions committed before it, or written by an earlier
/// operation of its own batch: no write can make a cycle. Stores written before the rule may hold
/// cycles (Tests/Fixtures/lineage-cycles), and every walker terminates on them.
@Suite struct LineageCycleTests {
  static let fixture = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/lineage-cycles/store/data.mdb")

  /// A store with `c.a` and `c.b` (int, full history).
  func cycleStore() throws -> (FeatureStore, TemporaryDirectory) {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("c.a", type: .int, maxVersions: 0))
    try db.define(FeatureDefinition("c.b", type: .int, maxVersions: 0))
    return (db, dir)
  }

  /// The input named in a rejected write's error, or nil when the error is another one.
  func rejectedInput(_ body: () throws -> Void) -> String? {
    guard case .inputNotCommitted(let input, _, _) = thrownError(body) else { return nil }
    return input.description
  }

  @Test func aVersionCannotNameItself() throws {
    let (db, dir) = try cycleStore()
    _ = dir
    #expect(
      rejectedInput {
        try db.put("c.a", "u", 1, lineage: Lineage(inputs: [.version("c.a", "u", 1)]))
      } == "c.a:u@1")
    try db.put("c.a", "u", 1)
    // The second version may name the first, not itself.
    #expect(
      rejectedInput {
        try db.put("c.a", "u", 2, lineage: Lineage(inputs: [.version("c.a", "u", 2)]))
      } == "c.a:u@2")
    try db.put("c.a", "u", 2, lineage: Lineage(inputs: [.version("c.a", "u", 1)]))
    #expect(try db.history("c.a", "u").map(\.version) == [2, 1])
  }

  @Test func anOperationCannotNameALaterOneOfItsBatch() throws {
    let (db, dir) = try cycleStore()
    _ = dir
    // Its own next version, written by the next operation.
    #expect(
      rejectedInput {
        try db.write { batch in
          batch.put("c.a", "u", 1, lineage: Lineage(inputs: [.version("c.a", "u", 2)]))
          batch.put("c.a", "u", 2)
        }
      } == "c.a:u@2")
    // Two versions naming each other.
    #expect(
      rejectedInput {
        try db.write { batch in
          batch.put("c.a", "u", 1, lineage: Lineage(inputs: [.version("c.b", "u", 1)]))
          batch.put("c.b", "u", 1, lineage: Lineage(inputs: [.version("c.a", "u", 1)]))
        }
      } == "c.b:u@1")
    // The batch's lineage applies to every operation: the first of c.b would name itself.
    #expect(
      rejectedInput {
        try db.write { batch in
          batch.lineage = Lineage(inputs: [.version("c.b", "u", 1)])
          batch.put("c.b", "u", 1)
        }
      } == "c.b:u@1")
    #expect(try db.history("c.a", "u").isEmpty && (try db.history("c.b", "u")).isEmpty)
  }

  @Test func aLaterOperationMayNameAnEarlierOneOfItsBatch() throws {
    let (db, dir) = try cycleStore()
    _ = dir
    try db.put("c.a", "u", 1)
    let refs = try db.write { batch in
      batch.put("c.a", "u", 2, lineage: Lineage(inputs: [.version("c.a", "u", 1)]))
      batch.put("c.b", "u", 3, lineage: Lineage(inputs: [.version("c.a", "u", 2)]))
      batch.put("c.a", "u", 4, lineage: Lineage(inputs: [.version("c.b", "u", 1)]))
    }
    #expect(refs.map(\.description) == ["c.a:u@2", "c.b:u@1", "c.a:u@3"])
    #expect(try db.upstream("c.a", "u", depth: 5).all.count == 4)
  }

  @Test func anUnknownInputErrorNamesOnlyCommittedVersions() throws {
    let (db, dir) = try cycleStore()
    _ = dir
    // The write's own version is not one of "its versions".
    var error = thrownError {
      try db.put("c.a", "u", 1, lineage: Lineage(inputs: [.version("c.a", "u", 2)]))
    }
    #expect(
      error?.description == "feature 'c.a' entity 'u' has no version 2: the pair has no versions")
    try db.put("c.a", "u", 1)
    error = thrownError {
      try db.put("c.a", "u", 2, lineage: Lineage(inputs: [.version("c.a", "u", 3)]))
    }
    #expect(error?.description == "feature 'c.a' entity 'u' has no version 3: its versions are 1…1")
  }

  /// A copy of the fixture store, opened as a writer.
  func fixtureStore() throws -> (FeatureStore, TemporaryDirectory) {
    let dir = TemporaryDirectory()
    let path = dir.child("cycles.fdb")
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    try FileManager.default.copyItem(atPath: Self.fixture.path, toPath: path + "/data.mdb")
    return (try FeatureStore(path: path, options: StoreOptions(durability: .noSync)), dir)
  }

  @Test func everyWalkerTerminatesOnTheCyclesAnOlderStoreHolds() throws {
    let (db, dir) = try fixtureStore()
    _ = dir
    for (f, e) in [("c.a", "self"), ("c.a", "pair"), ("c.b", "pair"), ("c.a", "next")] {
      for v in try db.history(f, e).map(\.version) {
        for tree in [
          try db.upstream(f, e, version: v, depth: 100),
          try db.downstream(f, e, version: v, depth: 100),
        ] {
          // Each version is expanded once: the cycle ends at a repeated node.
          #expect(tree.all.count <= 4)
          #expect(tree.all.contains { $0.repeated })
          #expect(!tree.rendered().isEmpty)
        }
      }
    }
    let pair = try db.upstream("c.a", "pair", depth: 100).rendered()
    #expect(pair.split(separator: "\n").count == 3)
    let graph = try db.featureGraph()
    #expect(
      Set(graph.edges.map { "\($0.parent)>\($0.child)" }) == ["c.a>c.a", "c.a>c.b", "c.b>c.a"])
    #expect(graph.dot().hasPrefix("digraph") && graph.mermaid().hasPrefix("flowchart"))
    // A cascade follows the cycle once around, as a dry run and for real, and undo restores it.
    let dry = try db.rollback(.run("r2"), RollbackOptions(cascade: true, dryRun: true))
    #expect(dry.versions.count == 2)
    let self1 = try db.rollback(
      .toVersion(feature: "c.a", entity: "next", version: 1), RollbackOptions(cascade: true))
    #expect(self1.retracted == 2)
    let op = try db.rollback(.run("r2"), RollbackOptions(cascade: true))
    #expect(op.retracted == 2)
    _ = try db.undo(try #require(op.operation?.id))
    #expect(try db.latest("c.b", "pair") == .int(2))
    // verify reads every record and returns (cycles are not damage it looks for).
    _ = try db.verify()
  }
}
