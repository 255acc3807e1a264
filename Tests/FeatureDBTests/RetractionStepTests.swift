import Foundation
import Testing

@testable import FeatureDB

/// Applying a rollback edits at most `step` versions per transaction, however many of one chain
/// it lists and whether or not they were retracted already, so other writers get the writer
/// lock between steps (issue 19, item 9).
@Suite struct RetractionStepTests {
  /// The steps `applyPendingRetractions(step:)` takes to apply every pending rule.
  static func steps(_ db: FeatureStore, step: Int) throws -> Int {
    var steps = 0
    while !(try db.applyPendingRetractions(step: step, maxSteps: 1).isEmpty) { steps += 1 }
    return steps
  }

  /// Run `r`: versions 1…`versions` of `spend` for entities u0…u`entities - 1`.
  static func writeRun(_ db: FeatureStore, entities: Int, versions: Int) throws {
    try db.write { b in
      b.lineage = Lineage(run: "r")
      for e in 0..<entities {
        for i in 1...versions { b.put("spend", "u\(e)", Double(i), eventTime: t(Int64(i))) }
      }
    }
  }

  @Test func versionsOfOneChainAreAppliedInBoundedSteps() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    try db.write { b in
      for i in 1...50 { b.put("spend", "u1", Double(i), eventTime: t(Int64(i))) }
    }
    _ = try db.recordRollback(.toVersion(feature: "spend", entity: "u1", version: 1), .init())
    #expect(try Self.steps(db, step: 10) >= 5)
    #expect(try db.operation(1).versions == 49)
    #expect(try db.latest("spend", "u1") == .double(1))
    try expectClean(db)
  }

  @Test func versionsRetractedAlreadyCountAsWork() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    try Self.writeRun(db, entities: 50, versions: 5)
    try db.rollback(.run("r"))
    // Every version is retracted already: the second rollback changes none, but edits 250.
    _ = try db.recordRollback(.run("r"), .init())
    #expect(try Self.steps(db, step: 10) >= 20)
    #expect(try db.operation(2).versions == 0)
    try expectClean(db)
  }

  /// `progress` hears after each step how many versions are marked so far, rising to what the
  /// operation records; a rollback's readers see it before the first call.
  @Test func progressCountsTheVersionsMarkedStepByStep() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    try Self.writeRun(db, entities: 30, versions: 3)
    _ = try db.recordRollback(.run("r"), .init())
    #expect(try db.latest("spend", "u0") == nil)
    var reports: [Int] = []
    try db.applyPendingRetractions(step: 20) { reports.append($0) }
    #expect(reports.count >= 4)
    #expect(reports == reports.sorted() && Set(reports).count == reports.count)
    #expect(reports.last == 90)
    #expect(try db.operation(1).versions == 90)

    var undone: [Int] = []
    try db.undo(1) { undone.append($0) }
    #expect(undone.last == 90)
    #expect(try db.latest("spend", "u0") == .double(3))
    try expectClean(db)
  }
}
