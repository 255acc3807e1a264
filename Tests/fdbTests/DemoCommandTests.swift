import FeatureDB
import Foundation
import Testing

/// `fdb demo`, run as a user would: generated events through the pipeline, a point read and a
/// history, the lineage of a derived feature, and the rollback of a bad pipeline run.
@Suite struct DemoCommandTests {
  /// The demo's JSON document on a store of its own in `cli`'s directory.
  func demo(_ cli: CLI, _ arguments: [String] = []) throws -> [String: Any] {
    try cli.ok(["demo", "--json"] + arguments).json
  }

  @Test func demoRefusesAStoreHoldingOtherFeatures() throws {
    let cli = try CLI().initialized([("user.orders_7d", "int")])
    #expect(
      try cli.fails(2, ["demo", "--users", "5"]).contains(
        "holds other features (user.orders_7d); the demo writes only into a store of its own"))
    #expect(try cli.ok(["features", "--json"]).jsonLines.count == 1)
    #expect(try cli.ok(["demo", "--users", "5", "--db", "demo.fdb", "--quiet"]).stdout.isEmpty)
    // A second run keeps a retention the user changed.
    try cli.ok(["define", "user.value_mean", "--max-versions", "2", "--db", "demo.fdb"])
    try cli.ok(["demo", "--users", "5", "--db", "demo.fdb", "--quiet"])
    let mean = try cli.ok(["describe", "user.value_mean", "--db", "demo.fdb", "--json"]).json
    #expect(mean["maxVersions"] as? Int == 2)
  }

  @Test func demoBuildsTheDefaultStoreAndIsSafeToRunAgain() throws {
    let cli = CLI()
    let first = try cli.ok(["demo"])
    let lines = first.lines
    #expect(lines[0].hasPrefix("Demo store ./features.fdb, run demo-"))
    #expect(lines[1].hasPrefix("generated 5000 events of 250 users (seed 7), 2026-01-05T00:0"))
    #expect(lines[2].hasPrefix("the pipeline wrote "))
    #expect(
      lines[2].hasSuffix(
        " versions of 54 features in 21 transactions, with lineage (input demo-events-0)"))
    let busiest = try #require(lines[5].split(separator: " ").first.map(String.init))
    #expect(lines[5].hasPrefix("\(busiest) has the most events ("))
    #expect(first.stdout.contains("\n  fdb get user.value_mean \(busiest)\n"))
    #expect(first.stdout.contains("\n  fdb history user.value_mean \(busiest)\n"))
    #expect(
      first.stdout.contains(
        "\n  fdb lineage user.z_score \(busiest) --depth 1\nuser.z_score:\(busiest)@"))
    #expect(
      first.stdout.contains(
        "--cascade --reason \"5 TB transfers\"\noperation 1: retracted "))
    #expect(first.stdout.contains("\n  fdb undo 1\n"))

    // Each run continues the stream 8 days after the previous one, with the next seed.
    let second = try demo(cli, ["--users", "20"])
    #expect(second["input"] as? String == "demo-events-1" && second["seed"] as? Int == 8)
    #expect((second["firstEventTime"] as? String)?.hasPrefix("2026-01-13T00:00:") == true)
    #expect((second["versions"] as? Int ?? 0) > 0)
    // That is past every window: the bad run's 5 TB are in no value the next run computes.
    let third = try demo(cli, ["--users", "20"])
    let secondRollback = try #require(second["rollback"] as? [String: Any])
    let rollback = try #require(third["rollback"] as? [String: Any])
    let user = try #require(third["user"] as? String)
    #expect((secondRollback["badUsers"] as? [String])?.contains(user) == true)
    let before = try #require(rollback["beforeBadRun"] as? Double)
    #expect(before < 1_000_000)
    #expect(rollback["operation"] as? Int == 3)
    let runs = try cli.ok(["runs", "--json"]).jsonLines
    #expect(runs.count == 6 && runs[0]["id"] as? String == rollback["badRun"] as? String)
    #expect(
      runs.map { $0["status"] as? String }
        == Array(repeating: ["rolled_back", "succeeded"], count: 3).flatMap { $0 })
    #expect(try cli.ok(["demo", "--users", "20", "--quiet"]).stdout.isEmpty)
    try cli.fails(2, ["demo", "--users", "0"])
    try cli.fails(2, ["demo", "--events", "0"])
  }

  @Test func demoJSONNamesTheRunAndItsCountsAndTheSameSeedGivesTheSameStore() throws {
    let cli = CLI()
    let arguments = ["--users", "30", "--events", "500", "--seed", "3"]
    let json = try demo(cli, arguments)
    let run = try #require(json["run"] as? String)
    #expect(run.hasPrefix("demo-"))
    #expect(json["events"] as? Int == 500 && json["users"] as? Int == 30)
    #expect(json["seed"] as? Int == 3 && json["input"] as? String == "demo-events-0")
    // The versions it counts are the ones the run wrote.
    let versions = try #require(json["versions"] as? Int)
    let show = try cli.ok(["run", "show", run, "--json"]).json
    let features = try #require(show["features"] as? [[String: Any]])
    #expect(versions > 0 && features.map { $0["versions"] as? Int ?? 0 }.reduce(0, +) == versions)
    #expect(features.count == json["features"] as? Int)
    // The point read and the history are what fdb get and fdb history show.
    let user = try #require(json["user"] as? String)
    let read = try #require(json["read"] as? [String: Any])
    let value = try cli.ok(["get", "user.value_mean", user, "--json"]).json["value"] as? Double
    #expect(value != nil && read["latest"] as? Double == value)
    let history = try cli.ok(["history", "user.value_mean", user, "--json"]).jsonLines
    #expect(read["historyVersions"] as? Int == history.count && !history.isEmpty)
    #expect(history.allSatisfy { $0["run"] as? String == run })
    // The same seed on a fresh store: the same events, versions and values.
    let again = try demo(CLI(), arguments)
    #expect(again["versions"] as? Int == versions && again["user"] as? String == user)
    let againRead = try #require(again["read"] as? [String: Any])
    #expect(againRead["latest"] as? Double == value)
    let lineage = try #require(json["lineage"] as? [String: Any])
    let againLineage = try #require(again["lineage"] as? [String: Any])
    #expect(againLineage["inputs"] as? [String] == lineage["inputs"] as? [String])
  }

  @Test func demoLineageOfTheDerivedFeatureNamesItsParentVersionsAndEvents() throws {
    let cli = CLI()
    let json = try demo(cli, ["--users", "20"])
    let user = try #require(json["user"] as? String)
    let lineage = try #require(json["lineage"] as? [String: Any])
    #expect(lineage["feature"] as? String == "user.z_score")
    let inputs = try #require(lineage["inputs"] as? [String])
    #expect(inputs.count >= 3)
    #expect(inputs[0].hasPrefix("user.value_mean:\(user)@"))
    #expect(inputs[1].hasPrefix("user.value_std:\(user)@"))
    #expect(inputs.dropFirst(2).allSatisfy { $0.hasPrefix("raw:evt-7-") })
    // The parent versions it names are versions the pipeline wrote.
    for (input, feature) in zip(inputs, ["user.value_mean", "user.value_std"]) {
      let version = try #require(input.split(separator: "@").last.flatMap { Int($0) })
      let history = try cli.ok(["history", feature, user, "--json"]).jsonLines
      #expect(history.contains { $0["version"] as? Int == version })
    }
    // The tree the tour prints is what fdb lineage prints.
    let text = try cli.ok(["demo", "--users", "20", "--db", "text.fdb"]).lines
    let shown = try #require(text.first { $0.contains(" has the most events (") })
    let other = try #require(shown.split(separator: " ").first.map(String.init))
    let command = "  fdb lineage user.z_score \(other) --depth 1"
    let start = try #require(text.firstIndex(of: command)) + 1
    let end = try #require(text[start...].firstIndex(of: ""))
    let tree = try cli.ok(["lineage", "user.z_score", other, "--depth", "1", "--db", "text.fdb"])
    #expect(Array(text[start..<end]) == tree.lines)
    #expect(text[start + 1].hasPrefix("├─ user.value_mean:\(other)@"))
    #expect(text[start + 2].hasPrefix("├─ user.value_std:\(other)@"))
  }

  @Test func demoRollbackRetractsEveryVersionOfTheBadRun() throws {
    let cli = CLI()
    let json = try demo(cli, ["--users", "20"])
    let user = try #require(json["user"] as? String)
    let rollback = try #require(json["rollback"] as? [String: Any])
    let badRun = try #require(rollback["badRun"] as? String)
    let badVersions = try #require(rollback["badVersions"] as? Int)
    #expect(badVersions > 0 && rollback["retracted"] as? Int == badVersions)
    #expect((rollback["badUsers"] as? [String])?.first == user)
    let before = try #require(rollback["beforeBadRun"] as? Double)
    let bad = try #require(rollback["afterBadRun"] as? Double)
    #expect(bad >= before + 5_000_000)
    #expect(rollback["afterRollback"] as? Double == before)
    // Latest is the value before the bad run; its version is in history, retracted.
    #expect(
      try cli.ok(["get", "user.data_transfer_volume", user, "--json"]).json["value"] as? Double
        == before)
    let history = try cli.ok([
      "history", "user.data_transfer_volume", user, "--include-retracted", "--json",
    ]).jsonLines
    #expect(history.first?["status"] as? String == "retracted")
    #expect(history.first?["run"] as? String == badRun && history.first?["value"] as? Double == bad)
    #expect(history.first?["retractedBy"] as? Int == rollback["operation"] as? Int)
    #expect(history.dropFirst().first?["value"] as? Double == before)
    // Every version the bad run wrote is retracted.
    let store = try FeatureStore(path: cli.store)
    let refs = try store.runVersions(badRun, limit: 10_000)
    #expect(refs.count == badVersions)
    let statuses = try store.read { s in
      try refs.map { try s.version($0.feature, $0.entity, $0.version)?.status }
    }
    #expect(statuses.allSatisfy { $0 == .retracted })
    #expect(try store.run(badRun)?.status == .rolledBack)
  }
}
