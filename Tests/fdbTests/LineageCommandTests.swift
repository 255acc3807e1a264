import Foundation
import Testing

/// `fdb lineage`, `graph`, `runs`, `run show`, `rollback`, `undo`, `ops`, run as a user would.
@Suite struct LineageCommandTests {
  /// orders → spend → risk, where `bad-run` wrote the second orders and spend.
  static func store() throws -> CLI {
    let cli = try CLI().initialized([
      ("user.orders_7d", "int"), ("user.spend_7d", "double"), ("user.risk", "double"),
    ])
    try cli.ok([
      "put", "user.orders_7d", "u1", "3", "--event-time", "2026-01-05T10:00:00Z", "--run", "run-1",
    ])
    try cli.ok([
      "put", "user.spend_7d", "u1", "12.5", "--event-time", "2026-01-05T10:30:00Z", "--producer",
      "spend@1", "--run", "run-1", "--input", "user.orders_7d:u1@1", "--input", "raw:evt-1",
    ])
    try cli.ok([
      "put", "user.orders_7d", "u1", "40", "--event-time", "2026-01-06T10:00:00Z", "--run",
      "bad-run",
    ])
    try cli.ok([
      "put", "user.spend_7d", "u1", "99", "--event-time", "2026-01-06T10:30:00Z", "--producer",
      "spend@1", "--run", "bad-run", "--input", "user.orders_7d:u1@2",
    ])
    try cli.ok([
      "put", "user.risk", "u1", "0.9", "--event-time", "2026-01-06T11:00:00Z", "--producer",
      "risk@0.3", "--run", "scoring", "--input", "user.spend_7d:u1@2",
    ])
    return cli
  }

  @Test func lineageTreesAndTheGraph() throws {
    let cli = try Self.store()
    let up = try cli.ok(["lineage", "user.risk", "u1"]).lines
    #expect(up.count == 3)
    #expect(up[0].hasPrefix("user.risk:u1@1 = 0.9 producer risk@0.3 run scoring"))
    #expect(up[1].hasPrefix("└─ user.spend_7d:u1@2 = 99.0"))
    #expect(up[2].hasPrefix("   └─ user.orders_7d:u1@2 = 40"))
    let raw = try cli.ok(["lineage", "user.spend_7d", "u1", "--version", "1"]).lines
    #expect(raw[1].hasPrefix("├─ user.orders_7d:u1@1 = 3 run run-1 written "))
    #expect(raw.last == "└─ raw:evt-1")
    let down = try cli.ok([
      "lineage", "user.orders_7d", "u1", "--version", "2", "--downstream", "--json",
    ]).json
    let child = (down["children"] as! [[String: Any]])[0]
    #expect(child["feature"] as? String == "user.spend_7d" && child["version"] as? Int == 2)
    #expect(
      try cli.ok(["lineage", "user.risk", "u1", "--format", "dot"]).stdout.hasPrefix("digraph"))
    let graph = try cli.ok(["graph", "--json"]).stdout
    #expect(
      graph.contains("\"parent\" : \"user.orders_7d\"")
        || graph.contains("\"parent\": \"user.orders_7d\""))
    let mermaid = try cli.ok(["graph", "--format", "mermaid"]).lines
    #expect(
      mermaid == [
        "flowchart LR",
        "  f0[\"user.orders_7d\"] -->|\"spend@1 ×2\"| f1[\"user.spend_7d\"]",
        "  f1[\"user.spend_7d\"] -->|\"risk@0.3\"| f2[\"user.risk\"]",
      ])
    try cli.fails(2, ["lineage", "user.risk", "u1", "--depth", "0"])
    try cli.fails(3, ["lineage", "user.risk", "u1", "--version", "7"])
    #expect(
      try cli.fails(3, ["put", "user.risk", "u1", "1", "--input", "user.spend_7d:u1@9"])
        == "fdb: error: feature 'user.spend_7d' entity 'u1' has no version 9: its versions are 1…2")
  }

  @Test func rollbackARunWithCascadeThenUndo() throws {
    let cli = try Self.store()
    #expect(
      try cli.ok(["runs", "--json"]).jsonLines.map { $0["id"] as? String } == [
        "scoring", "bad-run", "run-1",
      ])
    let show = try cli.ok(["run", "show", "bad-run", "--json"]).json
    #expect((show["features"] as! [[String: Any]]).map { $0["versions"] as? Int } == [1, 1])
    let dry = try cli.ok(["rollback", "--run", "bad-run", "--cascade", "--dry-run", "--json"]).json
    #expect(dry["retracted"] as? Int == 3 && dry["cascaded"] as? Int == 1)
    #expect(try cli.ok(["get", "user.risk", "u1", "--quiet"]).stdout == "0.9\n")
    let done = try cli.ok([
      "rollback", "--run", "bad-run", "--cascade", "--reason", "duplicated feed", "--actor", "ana",
    ]).stdout
    #expect(
      done.hasPrefix(
        "operation 1: retracted 3 versions (1 derived) — run bad-run; undo with 'fdb undo 1'"))
    try cli.fails(3, ["get", "user.risk", "u1"])
    #expect(try cli.ok(["get", "user.spend_7d", "u1", "--quiet"]).stdout == "12.5\n")
    let history = try cli.ok(["history", "user.spend_7d", "u1", "--include-retracted", "--json"])
      .jsonLines
    #expect(history.map { $0["status"] as? String } == ["retracted", "active"])
    #expect(history[0]["retractedBy"] as? Int == 1)
    #expect(try cli.ok(["history", "user.spend_7d", "u1", "--json"]).jsonLines.count == 1)
    let ops = try cli.ok(["ops", "--json"]).jsonLines
    #expect(ops.first?["actor"] as? String == "ana" && ops.first?["versions"] as? Int == 3)
    #expect(
      try cli.ok(["undo", "1"]).stdout == "operation 2: restored 3 versions — undo of operation 1\n"
    )
    #expect(try cli.ok(["get", "user.risk", "u1", "--quiet"]).stdout == "0.9\n")
    #expect(
      try cli.fails(2, ["undo", "1"])
        == "fdb: error: cannot undo operation 1: operation 2 undid it already")
    try cli.fails(2, ["undo", "2"])
    try cli.fails(3, ["undo", "9"])
    try cli.fails(3, ["rollback", "--run", "nope"])
    try cli.fails(2, ["rollback", "user.spend_7d"])
  }

  @Test func rollbackOneValueAndAFeature() throws {
    let cli = try Self.store()
    try cli.ok(["rollback", "user.orders_7d", "u1", "--to-version", "1"])
    #expect(try cli.ok(["get", "user.orders_7d", "u1", "--quiet"]).stdout == "3\n")
    // --since is a write time: every write of this test is after 2020, whatever day it runs.
    try cli.ok(["rollback", "user.spend_7d", "--since", "2020-01-01T00:00:00Z"])
    try cli.fails(3, ["get", "user.spend_7d", "u1"])
    try cli.fails(3, ["rollback", "user.orders_7d", "u1", "--to-version", "5"])
    #expect(try cli.ok(["verify"]).stdout.hasPrefix("clean"))
  }

  @Test func anUndoSaysWhenAnotherRollbackKeepsVersionsRetracted() throws {
    let cli = CLI()
    try cli.ok(["init"])
    try cli.ok(["define", "s", "--type", "int"])
    for v in ["1", "2", "3"] { try cli.ok(["put", "s", "u", v, "--run", "r\(v)"]) }
    try cli.ok(["rollback", "--run", "r3"])
    try cli.ok(["rollback", "s", "u", "--to-version", "1"])
    let out = try cli.ok(["undo", "1"]).stdout
    #expect(
      out
        == "operation 3: restored 0 versions — undo of operation 1; fewer than the 1 it retracted: the others stay retracted while another rollback covers them\n"
    )
    #expect(try cli.ok(["get", "s", "u", "--quiet"]).stdout == "1\n")
  }

  @Test func aRollbackThatCoversNothingExits3AndRecordsNothing() throws {
    let cli = CLI()
    try cli.ok(["init"])
    try cli.ok(["define", "s", "--type", "int"])
    try cli.ok(["put", "s", "u", "1"])
    let out = try cli.run(["rollback", "s", "u", "--to-time", "2999-01-01T00:00:00Z"])
    #expect(out.status == 3, "\(out)")
    #expect(out.stdout.isEmpty, "\(out)")
    #expect(
      out.stderr.split(separator: "\n").count == 1 && out.stderr.contains("covers no version"),
      "\(out)")
    #expect(try cli.ok(["ops", "--json"]).stdout.isEmpty)
  }
}

/// `fdb define-group`, `groups`, `get --group`, `export --group`.
@Suite struct GroupCommandTests {
  @Test func groupsInTheCommandLine() throws {
    let cli = try CLI().initialized([("user.spend_7d", "double"), ("user.risk", "double")])
    try cli.ok(["put", "user.spend_7d", "u1", "12.5"])
    try cli.ok(["put", "user.risk", "u1", "0.9"])
    #expect(
      try cli.ok(["define-group", "fraud.v2", "--features", "user.risk,user.spend_7d"]).stdout
        == "defined group fraud.v2 (2 features)\n")
    #expect(
      try cli.ok(["groups", "--json"]).jsonLines.map { $0["name"] as? String } == ["fraud.v2"])
    let row = try cli.ok(["get", "u1", "--group", "fraud.v2", "--json"]).jsonLines
    #expect(row.map { $0["feature"] as? String } == ["user.risk", "user.spend_7d"])
    let csv = try cli.ok(["export", "--group", "fraud.v2", "--quiet"]).stdout
    #expect(csv.hasPrefix("entity_id,user.risk,user.spend_7d\n"))
    try cli.fails(3, ["get", "u1", "--group", "nope"])
    try cli.fails(3, ["define-group", "g", "--features", "nope"])
    try cli.fails(2, ["get", "u1", "--group", "fraud.v2", "--all"])
  }
}
