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

@Suite struct CodablePrefixTests {
  struct User: Codable, Equatable {
    var spend_7d: Double
    var segment: String
    var churn_score: Double?
  }

  @Test func aPrefixMapsPropertiesToDottedFeatureNames() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("user.spend_7d", type: .double))
    try db.define(FeatureDefinition("user.segment", type: .string))
    try db.define(FeatureDefinition("user.churn_score", type: .double))
    try db.define(FeatureDefinition("spend_7d", type: .double))  // not under the prefix
    try db.put("spend_7d", "u1", 99.0)
    let user = User(spend_7d: 12.5, segment: "loyal", churn_score: nil)
    let refs = try db.put(entity: "u1", user, prefix: "user.")
    #expect(refs.map(\.feature) == ["user.spend_7d", "user.segment"])  // nil is skipped
    #expect(try db.read(User.self, entity: "u1", prefix: "user.") == user)
    try db.write { batch in
      try batch.put(
        entity: "u1", User(spend_7d: 1, segment: "new", churn_score: 0.5), prefix: "user.")
    }
    let read = try db.read { try $0.read(User.self, entity: "u1", prefix: "user.") }
    #expect(read == User(spend_7d: 1, segment: "new", churn_score: 0.5))
    #expect(try db.latest("spend_7d", "u1") == .double(99))
    #expect(throws: DecodingError.self) { try db.read(User.self, entity: "u2", prefix: "user.") }
    _ = dir
  }
}
