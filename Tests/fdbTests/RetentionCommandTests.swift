import Foundation
import Testing

/// `fdb prune`, `vacuum`, `compact`, and reads into removed history.
@Suite struct RetentionCommandTests {
  @Test func pruneAppliesLoweredMaxVersionsAndReadsSaySo() throws {
    let cli = try CLI().initialized([("f", "int"), ("g", "int")])
    for day in 1...4 {
      try cli.ok([
        "put", "f", "e", String(day), "--event-time", "2026-01-0\(day)T00:00:00Z", "--quiet",
      ])
    }
    try cli.ok(["put", "g", "e", "1"])
    #expect(try cli.ok(["prune", "f"]).stdout.hasPrefix("nothing to prune in f"))
    try cli.ok(["define", "f", "--type", "int", "--max-versions", "2"])
    let pruned = try cli.ok(["prune", "f", "--json"]).json
    #expect(
      pruned["pruned"] as? Int == 2 && pruned["chains"] as? Int == 1
        && pruned["feature"] as? String == "f")
    #expect(
      try cli.ok(["history", "f", "e", "--json"]).jsonLines.map { $0["version"] as? Int } == [4, 3])
    let message = try cli.fails(3, ["get", "f", "e", "--as-of", "2026-01-01T12:00:00Z"])
    #expect(message.contains("max-version pruning"))
    #expect(
      try cli.ok(["get", "f", "e", "--as-of", "2026-01-03T12:00:00Z", "--quiet"]).stdout == "3\n")
    #expect(
      try cli.ok(["prune"]).stdout
        == "nothing to prune in every feature: every value is within max versions (2 feature-entity pairs checked)\n"
    )
    #expect(try cli.fails(3, ["prune", "nope"]) == "fdb: error: unknown feature 'nope'")
  }

  @Test func vacuumRemovesExpiredVersionsInStepsAndReadsSaySo() throws {
    let cli = try CLI().initialized()
    try cli.ok(["define", "t", "--type", "int", "--ttl", "1h"])
    for (value, time) in [("1", "-5h"), ("2", "-4h"), ("3", "-3h"), ("4", "now")] {
      try cli.ok(["put", "t", "e", value, "--event-time", time, "--quiet"])
    }
    let dry = try cli.ok(["vacuum", "--dry-run", "--json"]).json
    #expect(
      dry["dryRun"] as? Bool == true && dry["removed"] as? Int == 3 && dry["done"] as? Bool == true)
    #expect(try cli.ok(["history", "t", "e", "--json"]).jsonLines.count == 4)  // nothing removed
    #expect(
      try cli.ok(["history", "t", "e", "--json"]).jsonLines.filter {
        $0["expired"] as? Bool == true
      }.count == 3)
    let step = try cli.ok(["vacuum", "--limit", "1", "--json"]).json
    #expect(step["removed"] as? Int == 1 && step["done"] as? Bool == false)
    // stderr is not a terminal: no progress (`ok` checks that stderr is empty).
    let rest = try cli.ok(["vacuum"])
    #expect(rest.lines[0] == "removed 2 expired versions (2 index entries examined)")
    #expect(rest.lines[1].hasPrefix("  t: vacuum horizon "))
    #expect(try cli.ok(["vacuum"]).stdout == "nothing to vacuum: no expired versions\n")
    #expect(try cli.ok(["history", "t", "e", "--json"]).jsonLines.count == 1)
    #expect(try cli.fails(3, ["get", "t", "e", "--as-of", "-4h"]).contains("removed by vacuum"))
    #expect(try cli.ok(["describe", "t", "--json"]).json["vacuumed"] as? Int == 3)
    try cli.fails(2, ["vacuum", "--limit", "0"])
  }

  @Test func compactCopiesIntoANewDirectoryAndReportsSizes() throws {
    let cli = try CLI().initialized([("f", "string")])
    for e in 0..<50 {
      try cli.ok(["put", "f", "e\(e)", String(repeating: "x", count: 200), "--quiet"])
    }
    let before = try fingerprint(cli.store + "/data.mdb")
    let result = try cli.ok(["compact", "copy.fdb", "--json"]).json
    #expect(
      result["source"] as? String == "./features.fdb" && result["target"] as? String == "copy.fdb")
    let bytesBefore = try #require(result["bytesBefore"] as? Int)
    let bytesAfter = try #require(result["bytesAfter"] as? Int)
    #expect(bytesBefore > 0 && bytesAfter > 0 && bytesAfter <= bytesBefore)
    #expect(try fingerprint(cli.store + "/data.mdb") == before)  // the source is untouched
    #expect(try cli.ok(["get", "f", "e49", "--db", "copy.fdb", "--quiet"]).stdout.count == 201)
    let human = try cli.ok(["compact", "copy2.fdb"]).stdout
    #expect(human.hasPrefix("compacted ./features.fdb (") && human.contains(" into copy2.fdb ("))
    #expect(try cli.fails(2, ["compact", "copy.fdb"]).contains("not empty"))
    #expect(try cli.fails(1, ["compact", "missing/dir/out"]).contains("does not exist"))
  }
}
