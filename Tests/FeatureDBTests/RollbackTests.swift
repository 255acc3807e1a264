import Foundation
import Testing

@testable import FeatureDB

/// Rollback retracts versions without rewriting history; undo restores them.
@Suite struct RollbackTests {
  static func store() throws -> (FeatureStore, TemporaryDirectory) {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("spend", type: .double, maxVersions: 0))
    try db.define(FeatureDefinition("score", type: .double, maxVersions: 0))
    try db.define(FeatureDefinition("risk", type: .double, maxVersions: 0))
    try db.define(FeatureDefinition("alert", type: .bool, maxVersions: 0))
    return (db, dir)
  }

  @Test func toVersionRetractsNewerVersionsAndWritesGoOn() throws {
    let (db, dir) = try Self.store()
    _ = dir
    for i in 1...5 { try db.put("spend", "u1", Double(i), eventTime: t(Int64(i))) }
    let before = try db.history("spend", "u1").first!.writeTime
    let result = try db.rollback(
      .toVersion(feature: "spend", entity: "u1", version: 3),
      RollbackOptions(actor: "ana", reason: "bad job"))
    #expect(result.retracted == 2)
    #expect(result.versions.map(\.version).sorted() == [4, 5])
    #expect(try db.latest("spend", "u1") == .double(3))
    #expect(try db.history("spend", "u1").map(\.version) == [3, 2, 1])
    let all = try db.history("spend", "u1", includeRetracted: true)
    #expect(all.map(\.version) == [5, 4, 3, 2, 1])
    #expect(all[0].status == .retracted)
    #expect(all[0].retractedBy == result.operation!.id)
    // A read at a write time before the rollback sees what was visible then.
    #expect(try db.asOf("spend", "u1", writeTime: before) == .double(5))
    #expect(try db.asOf("spend", "u1", eventTime: t(4), writeTime: before) == .double(4))
    #expect(try db.asOf("spend", "u1", eventTime: t(4)) == .double(3))
    // New writes go on with the next version number.
    #expect(try db.put("spend", "u1", 9, eventTime: t(9)).version == 6)
    #expect(try db.latest("spend", "u1") == .double(9))
    let op = try db.operations().first!
    #expect(op.kind == .rollback && op.actor == "ana" && op.reason == "bad job" && op.versions == 2)
    try expectClean(db)
  }

  @Test func toTimeAndFeatureSince() throws {
    let (db, dir) = try Self.store()
    _ = dir
    for e in ["u1", "u2", "u3"] { try db.put("spend", e, 1, eventTime: t(1)) }
    let cut = try db.history("spend", "u3").first!.writeTime
    for e in ["u1", "u2"] { try db.put("spend", e, 2, eventTime: t(2)) }
    try db.put("score", "u1", 7, eventTime: t(2))
    let one = try db.rollback(.toTime(feature: "spend", entity: "u1", writeTime: cut))
    #expect(one.retracted == 1)
    #expect(try db.latest("spend", "u2") == .double(2))
    let all = try db.rollback(.feature("spend", since: cut))
    #expect(all.retracted == 1)  // u2's; u1's was retracted already
    for e in ["u1", "u2", "u3"] { #expect(try db.latest("spend", e) == .double(1)) }
    #expect(try db.latest("score", "u1") == .double(7))
    try expectClean(db)
  }

  /// raw → spend → score → risk → alert: a cascade reaches three levels down.
  static func chain(_ db: FeatureStore, entity: String, run: String) throws -> [VersionRef] {
    let spend = try db.put(
      "spend", entity, 10, eventTime: t(1), lineage: Lineage(run: run, inputs: [.raw("evt-1")]))
    let score = try db.put(
      "score", entity, 0.5, eventTime: t(1),
      lineage: Lineage(
        producer: "score@1", run: "derive", inputs: [.version("spend", entity, spend.version)]))
    let risk = try db.put(
      "risk", entity, 0.9, eventTime: t(1),
      lineage: Lineage(
        producer: "risk@1", run: "derive", inputs: [.version("score", entity, score.version)]))
    let alert = try db.put(
      "alert", entity, true, eventTime: t(1),
      lineage: Lineage(
        producer: "alert@1", run: "derive", inputs: [.version("risk", entity, risk.version)]))
    return [spend, score, risk, alert]
  }

  @Test func runRollbackCascadesThroughThreeLevelsAndUndoRestores() throws {
    let (db, dir) = try Self.store()
    _ = dir
    try db.beginRun(Run(id: "bad", name: "spend.daily", parameters: ["day": "1"]))
    for e in ["u1", "u2"] { _ = try Self.chain(db, entity: e, run: "bad") }
    try db.put("spend", "u3", 3, eventTime: t(1), lineage: Lineage(run: "good"))
    try db.finishRun("bad", status: .succeeded)
    #expect(try db.runSummary("bad").map(\.versions) == [2])
    #expect(try db.runVersions("bad").count == 2)
    #expect(try db.run("good")?.implicit == true)

    let dry = try db.rollback(.run("bad"), RollbackOptions(cascade: true, dryRun: true))
    #expect(dry.operation == nil && dry.retracted == 8 && dry.cascaded == 6)
    #expect(try db.latest("alert", "u1") == .bool(true), "a dry run changes nothing")

    let noCascade = try db.read { try $0.rollbackPlan(.run("bad")) }
    #expect(noCascade.listed.isEmpty)
    let result = try db.rollback(.run("bad"), RollbackOptions(cascade: true, reason: "bad input"))
    #expect(result.retracted == 8 && result.cascaded == 6)
    for f in ["spend", "score", "risk", "alert"] {
      for e in ["u1", "u2"] { #expect(try db.latest(f, e) == nil, "\(f) \(e)") }
    }
    #expect(try db.latest("spend", "u3") == .double(3))
    #expect(try db.run("bad")?.status == .rolledBack)
    // A version the run writes after its rollback is not covered by it.
    try db.put("spend", "u9", 1, eventTime: t(1), lineage: Lineage(run: "bad"))
    #expect(try db.latest("spend", "u9") == .double(1))
    try expectClean(db)

    let undo = try db.undo(result.operation!.id, actor: "ana")
    #expect(undo.kind == .undo && undo.undoes == result.operation!.id && undo.versions == 8)
    #expect(try db.latest("alert", "u1") == .bool(true))
    #expect(try db.latest("spend", "u2") == .double(10))
    #expect(try db.run("bad")?.status == .succeeded)
    #expect(
      throws: FeatureDBError.cannotUndo(
        operation: result.operation!.id, reason: "operation \(undo.id) undid it already")
    ) {
      try db.undo(result.operation!.id)
    }
    #expect(throws: FeatureDBError.self) { try db.undo(undo.id) }
    #expect(throws: FeatureDBError.unknownOperation(99)) { try db.undo(99) }
    try expectClean(db)
  }

  @Test func anExportBeforeARollbackIsRebuiltByteIdentical() throws {
    let (db, dir) = try Self.store()
    for e in ["u1", "u2"] { _ = try Self.chain(db, entity: e, run: "r1") }
    let w = try db.history("alert", "u2").first!.writeTime
    let rows = dir.child("rows.csv")
    try "entity_id,event_timestamp\nu1,2026-01-01T05:00:00Z\nu2,2026-01-01T05:00:00Z\n".write(
      toFile: rows, atomically: true, encoding: .utf8)
    func export(_ name: String) throws -> Data {
      let out = dir.child(name)
      try db.exportPointInTime(
        entityRows: rows, to: out,
        options: ExportOptions(features: ["spend", "score", "risk", "alert"], writeTime: w))
      return try Data(contentsOf: URL(fileURLWithPath: out))
    }
    let before = try export("before.csv")
    try db.rollback(.run("r1"), RollbackOptions(cascade: true))
    #expect(try export("after.csv") == before)
    #expect(String(decoding: before, as: UTF8.self).contains("true"))
  }

  @Test func aLargeRunIsNeverHalfVisible() throws {
    let (db, dir) = try Self.store()
    _ = dir
    try db.write { b in
      b.lineage = Lineage(run: "big")
      for i in 0..<3_000 { b.put("spend", "u\(i)", Double(i), eventTime: t(1)) }
    }
    // A long chain: entries in segments are retracted too.
    try db.write { b in
      for i in 0..<400 {
        b.put(
          "score", "u0", Double(i), eventTime: t(Int64(i)),
          lineage: Lineage(run: i < 200 ? "big" : "other"))
      }
    }
    let (id, _) = try db.recordRollback(.run("big"), RollbackOptions())
    var steps = 0
    repeat {
      // Between steps the rollback is already whole for every reader.
      #expect(try db.latest("spend", "u2999") == nil)
      #expect(try db.asOf("score", "u0", eventTime: t(150)) == nil)
      #expect(try db.asOf("score", "u0", eventTime: t(250)) == .double(250))
      #expect(try db.history("score", "u0").count == 200)
      steps += 1
    } while !(try db.applyPendingRetractions(step: 500, maxSteps: 1).isEmpty)
    #expect(steps > 5)
    #expect(try db.operation(id).versions == 3_200)
    #expect(try db.read { $0.catalog.retractions.hasPending } == false)
    #expect(try db.history("score", "u0", includeRetracted: true).count == 400)
    try expectClean(db)
  }

  @Test func badInputIsNamed() throws {
    let (db, dir) = try Self.store()
    _ = dir
    try db.define(FeatureDefinition("short", type: .int, maxVersions: 2))
    for i in 1...4 { try db.put("short", "u1", Int64(i)) }
    #expect(throws: FeatureDBError.unknownRun("nope")) { try db.rollback(.run("nope")) }
    #expect(throws: FeatureDBError.self) {
      try db.rollback(.toVersion(feature: "short", entity: "u1", version: 1))  // pruned
    }
    #expect(throws: FeatureDBError.self) {
      try db.rollback(.toVersion(feature: "short", entity: "u1", version: 9))  // never written
    }
    #expect(throws: FeatureDBError.unknownFeature("nope")) {
      try db.rollback(.feature("nope", since: t(0)))
    }
    #expect(throws: FeatureDBError.self) {
      try db.put("spend", "u1", 1, lineage: Lineage(inputs: [.version("short", "u1", 7)]))
    }
    #expect(try db.operations().isEmpty)
    #expect(try db.latest("spend", "u1") == nil, "the rejected write left nothing")
  }
}

/// A cascade's derived versions are hidden from the moment the rollback is recorded, like its
/// roots, not only once the rule is applied to the chains.
@Suite struct PendingCascadeTests {
  @Test func derivedVersionsAreHiddenWhileTheRollbackIsApplied() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    _ = try RollbackTests.chain(db, entity: "u1", run: "bad")
    _ = try db.recordRollback(.run("bad"), RollbackOptions(cascade: true))
    for f in ["spend", "score", "risk", "alert"] {
      #expect(try db.latest(f, "u1") == nil, "\(f) before the rule is applied")
    }
    try db.applyPendingRetractions()
    for f in ["spend", "score", "risk", "alert"] { #expect(try db.latest(f, "u1") == nil) }
  }
}
