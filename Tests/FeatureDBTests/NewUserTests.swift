import Testing

@testable import FeatureDB

@Suite struct LineageSpellingTests {
  /// Swift prints lineage inputs the way `fdb` prints and parses them (`--input`).
  @Test func inputsHaveOneSpelling() {
    #expect(LineageInput.raw("evt-991").description == "raw:evt-991")
    #expect(LineageInput.version("user.orders_7d", "u1", 1).description == "user.orders_7d:u1@1")
  }
}

@Suite struct FutureEventTimeTests {
  /// DESIGN.md's rule, as docs/format.md, docs/cli.md and `Snapshot.latest` state it: a version
  /// with a future event time is the latest once written; as of now it is not visible yet.
  @Test func latestSeesAFutureVersionAndAsOfNowDoesNot() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("user.segment", type: .string))
    let now = Timestamp.now
    try db.put("user.segment", "u1", "casual", eventTime: now - .days(1))
    try db.put("user.segment", "u1", "loyal", eventTime: now + .days(365))
    #expect(try db.latest("user.segment", "u1") == .string("loyal"))
    #expect(try db.asOf("user.segment", "u1", eventTime: now) == .string("casual"))
    #expect(try db.asOf("user.segment", "u1", eventTime: now + .days(365)) == .string("loyal"))
    _ = dir
  }
}
