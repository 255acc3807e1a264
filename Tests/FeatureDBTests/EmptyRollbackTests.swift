import Foundation
import Testing

@testable import FeatureDB

/// A rollback that covers no version is refused and records nothing (issue 19, item 12); one
/// that covers only versions already retracted covers them, so it is recorded.
@Suite struct EmptyRollbackTests {
  @Test func aRollbackThatCoversNothingIsRefusedAndRecordsNothing() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    try db.put("spend", "u1", 1, eventTime: t(1))
    let later = Timestamp.now + .hours(24)
    try db.beginRun(Run(id: "empty"))
    let targets: [RollbackTarget] = [
      .toTime(feature: "spend", entity: "u1", writeTime: later),
      .toVersion(feature: "spend", entity: "u1", version: 1),
      .feature("spend", since: later),
      .feature("score", since: Timestamp(microseconds: 0)),
      .run("empty"),
    ]
    for target in targets {
      for cascade in [false, true] {
        #expect(throws: FeatureDBError.nothingToRollBack(target.description)) {
          try db.rollback(target, RollbackOptions(cascade: cascade))
        }
      }
    }
    #expect(try db.operations().isEmpty)
    #expect(try db.run("empty")?.status == .running)
    #expect(try db.latest("spend", "u1") == .double(1))
  }

  @Test func aRollbackOfRetractedVersionsIsRecorded() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    try db.put("spend", "u1", 1, eventTime: t(1))
    try db.put("spend", "u1", 2, eventTime: t(2))
    try db.rollback(.toVersion(feature: "spend", entity: "u1", version: 1))
    let again = try db.rollback(.toVersion(feature: "spend", entity: "u1", version: 1))
    #expect(again.retracted == 0 && again.operation != nil)
  }
}
