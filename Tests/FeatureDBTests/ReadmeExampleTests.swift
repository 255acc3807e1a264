import Testing

@testable import FeatureDB

/// The README's Swift example, verbatim in the body, so it keeps compiling and working.
@Suite struct ReadmeExampleTests {
  @Test func readmeExampleRuns() throws {
    let dir = TemporaryDirectory()
    let db = try FeatureStore(path: dir.child("features.fdb"))
    try db.define(FeatureDefinition("user.spend_7d", type: .double, maxVersions: 5, ttl: .days(30)))
    try db.define(FeatureDefinition("user.segment", type: .string))

    // One transaction: all of it or nothing. Every write is a new version with lineage.
    try db.write { batch in
      batch.lineage = Lineage(
        producer: "spend.extract@1.2.0", run: "run-2026-01-05", source: "orders.parquet")
      batch.put("user.spend_7d", "u1", 12.5)  // event time: now (or pass eventTime:)
      batch.put("user.segment", "u1", "loyal")
    }

    let spend = try db.latest("user.spend_7d", "u1", as: Double.self)  // 12.5
    let dayAgo = try db.asOf("user.spend_7d", "u1", eventTime: .now - .days(1))  // nil: not known then
    for version in try db.history("user.spend_7d", "u1") {
      print(
        version.version, version.value ?? "deleted", version.eventTime, version.lineage.run ?? "-")
    }

    // Many reads in one consistent snapshot.
    let rows = try db.read { snapshot in
      try snapshot.latest(features: ["user.spend_7d", "user.segment"], entities: ["u1", "u2"])
    }

    // A training set in memory: each row's features as of the row's own event time.
    let labels = [EntityRow("u1", .now), EntityRow("u1", .now - .days(1))]
    let train = try db.pointInTime(features: ["user.spend_7d", "user.segment"], rows: labels)
    // train[0].values: [12.5, "loyal"]; train[1].values: [nil, nil] (nothing known a day before)

    try db.write { batch in
      batch.lineage = Lineage(
        producer: "segment.rules@2", run: "segments-7", inputs: [.version("user.spend_7d", "u1", 1)]
      )
      batch.put("user.segment", "u1", "vip")
    }
    print(try db.upstream("user.segment", "u1").rendered())
    // user.segment:u1@2 = vip producer segment.rules@2 run segments-7 written …
    // └─ user.spend_7d:u1@1 = 12.5 producer spend.extract@1.2.0 run run-2026-01-05 written …

    let rollback = try db.rollback(
      .run("segments-7"), RollbackOptions(cascade: true, reason: "bad rules"))
    let segment = try db.latest("user.segment", "u1", as: String.self)  // "loyal" again
    let retracted = try db.history("user.segment", "u1", includeRetracted: true)[0].status  // .retracted
    try db.undo(rollback.operation!.id)  // "vip" again

    let tree = try db.upstream("user.segment", "u1").rendered().split(separator: "\n")
    #expect(tree.count == 2)
    #expect(
      tree[0].hasPrefix("user.segment:u1@2 = vip producer segment.rules@2 run segments-7 written "))
    #expect(
      tree[1].hasPrefix(
        "└─ user.spend_7d:u1@1 = 12.5 producer spend.extract@1.2.0 run run-2026-01-05 written "))
    #expect(rollback.retracted == 1 && rollback.cascaded == 0)
    #expect(segment == "loyal")
    #expect(retracted == .retracted)
    #expect(try db.latest("user.segment", "u1", as: String.self) == "vip")

    #expect(spend == 12.5)
    #expect(dayAgo == nil)
    #expect(rows[0][1] == .string("loyal"))
    #expect(rows[1] == [nil, nil])
    #expect(train[0].values == [.double(12.5), .string("loyal")])
    #expect(train[1].values == [nil, nil])
  }
}
