import Foundation
import Testing

/// `fdb put`, `get`, `history`, `delete`: values of every type, times and lineage.
@Suite struct ValueCommandTests {
  @Test func entitiesListsTheEntitiesOfAFeature() throws {
    let cli = try CLI().initialized([("f", "int"), ("g", "int")])
    for e in ["u3", "u1", "u10", "u2"] { try cli.ok(["put", "f", e, "1"]) }
    try cli.ok(["put", "g", "x", "1"])
    #expect(try cli.ok(["entities", "f"]).lines == ["u1", "u10", "u2", "u3"])
    #expect(try cli.ok(["entities", "f", "--limit", "2"]).lines == ["u1", "u10"])
    #expect(try cli.ok(["entities", "f", "--limit", "2", "--after", "u10"]).lines == ["u2", "u3"])
    #expect(try cli.ok(["entities", "f", "--prefix", "u1"]).lines == ["u1", "u10"])
    #expect(
      try cli.ok(["entities", "g", "--json"]).jsonLines.map { $0["entity"] as? String } == ["x"])
    try cli.ok(["define", "h", "--type", "int"])
    #expect(try cli.ok(["entities", "h"]).stdout.isEmpty)
    #expect(try cli.fails(3, ["entities", "nope"]).contains("unknown feature 'nope'"))
    #expect(try cli.fails(2, ["entities", "f", "--limit", "0"]).contains("--limit"))
  }

  @Test func putThenGetWithLineageAndEventTime() throws {
    let cli = try CLI().initialized([("user.spend_7d", "double"), ("user.orders", "int")])
    #expect(try cli.ok(["put", "user.orders", "u1", "7"]).stdout == "wrote user.orders:u1@1\n")
    let put = try cli.ok([
      "put", "user.spend_7d", "u1", "12.5", "--event-time", "2026-01-05T10:30:00Z",
      "--producer", "spend.extract@1.2.0", "--run", "run-42", "--source", "orders.parquet",
      "--input", "user.orders:u1@1", "--input", "raw:evt-991", "--note", "backfill", "--json",
    ]).json
    #expect(put["version"] as? Int == 1 && put["value"] as? Double == 12.5)
    let got = try cli.ok(["get", "user.spend_7d", "u1", "--json"]).json
    #expect(got["value"] as? Double == 12.5)
    #expect(got["version"] as? Int == 1)
    #expect(got["eventTime"] as? String == "2026-01-05T10:30:00Z")
    #expect(got["producer"] as? String == "spend.extract@1.2.0")
    #expect(got["run"] as? String == "run-42")
    #expect(got["source"] as? String == "orders.parquet")
    #expect(got["inputs"] as? [String] == ["user.orders:u1@1", "raw:evt-991"])
    #expect(got["note"] as? String == "backfill")
    #expect(got["status"] as? String == "active" && got["deleted"] as? Bool == false)
    let lines = try cli.ok(["get", "user.spend_7d", "u1"]).lines
    #expect(lines[0] == "value       12.5")
    #expect(lines[1] == "version     1")
    #expect(lines[2] == "event time  2026-01-05T10:30:00Z")
    #expect(lines.contains("inputs      user.orders:u1@1, raw:evt-991"))
    #expect(lines.contains("note        backfill"))
    #expect(try cli.ok(["get", "user.spend_7d", "u1", "--quiet"]).stdout == "12.5\n")
  }

  @Test(arguments: [
    ("int", "-42", "-42"), ("double", "1e3", "1000.0"), ("bool", "true", "true"),
    ("string", "hello world", "hello world"), ("bytes", "0x00FF10", "0x00ff10"),
    ("embedding:3", "[0.5, -1, 2]", "[0.5,-1.0,2.0]"),
  ])
  func everyTypeRoundTrips(type: String, input: String, shown: String) throws {
    let cli = try CLI().initialized([("f", type)])
    try cli.ok(["put", "f", "e", "--", input])
    #expect(try cli.ok(["get", "f", "e", "--quiet"]).stdout == shown + "\n")
  }

  @Test func jsonValuesHaveTheirJSONTypes() throws {
    let cli = try CLI().initialized([
      ("i", "int"), ("b", "bool"), ("x", "bytes"), ("v", "embedding:2"),
    ])
    try cli.ok(["put", "i", "e", "5"])
    try cli.ok(["put", "b", "e", "false"])
    try cli.ok(["put", "x", "e", "0xbeef"])
    try cli.ok(["put", "v", "e", "[0.25,1]"])
    let rows = try cli.ok(["get", "e", "--all", "--json"]).jsonLines
    let values = Dictionary(
      uniqueKeysWithValues: rows.map { ($0["feature"] as? String ?? "", $0["value"]) })
    #expect(values["i"] as? Int == 5)
    #expect(values["b"] as? Bool == false)
    #expect(values["x"] as? String == "0xbeef")
    #expect(values["v"] as? [Double] == [0.25, 1])
  }

  @Test func asOfEventTimeAndWriteTime() throws {
    // Event times in 2020: `--as-of now` sees both whatever day this runs.
    let cli = try CLI().initialized([("f", "int")])
    try cli.ok(["put", "f", "e", "1", "--event-time", "2020-01-01T00:00:00Z"])
    let firstWrite = try cli.ok(["get", "f", "e", "--json"]).json["writeTime"] as? String ?? ""
    try cli.ok(["put", "f", "e", "2", "--event-time", "2020-01-03T00:00:00Z"])
    #expect(try cli.ok(["get", "f", "e", "--quiet"]).stdout == "2\n")
    #expect(
      try cli.ok(["get", "f", "e", "--as-of", "2020-01-02T00:00:00Z", "--quiet"]).stdout == "1\n")
    #expect(
      try cli.ok(["get", "f", "e", "--as-of=2020-01-03T00:00:00Z", "--quiet"]).stdout == "2\n")
    #expect(try cli.ok(["get", "f", "e", "--as-of-write", firstWrite, "--quiet"]).stdout == "1\n")
    #expect(
      try cli.ok(["get", "f", "e", "--as-of", "now", "--as-of-write", "now", "--quiet"]).stdout
        == "2\n")
    let none = try cli.fails(3, ["get", "f", "e", "--as-of", "2019-12-31T00:00:00Z"])
    #expect(
      none
        == "fdb: error: feature 'f' entity 'e' has no value as of event time 2019-12-31T00:00:00Z")
    // Relative times count back from now: the versions above are far in the past or future.
    #expect(try cli.ok(["get", "f", "e", "--as-of", "-1d", "--quiet"]).stdout == "2\n")
  }

  @Test func getAllListsEveryFeatureOfOneEntity() throws {
    let cli = try CLI().initialized([("b.name", "string"), ("a.age", "int"), ("c.unused", "int")])
    try cli.ok(["put", "a.age", "u/1 x", "30", "--event-time", "2026-01-05T10:30:00Z"])
    try cli.ok(["put", "b.name", "u/1 x", "Ada\nLovelace", "--event-time", "2026-01-05T10:30:00Z"])
    try cli.ok(["put", "b.name", "other", "Bob"])
    let lines = try cli.ok(["get", "u/1 x", "--all"]).lines
    #expect(
      lines == [
        "FEATURE  TYPE    VERSION  EVENT-TIME            VALUE",
        "a.age    int           1  2026-01-05T10:30:00Z  30",
        "b.name   string        1  2026-01-05T10:30:00Z  Ada\\nLovelace",
      ])
    let json = try cli.ok(["get", "u/1 x", "--all", "--json"]).jsonLines
    #expect(json.map { $0["feature"] as? String } == ["a.age", "b.name"])
    #expect(json[1]["value"] as? String == "Ada\nLovelace")
    #expect(
      try cli.fails(3, ["get", "nobody", "--all"]) == "fdb: error: entity 'nobody' has no values")
    for empty in [
      ["get", "", "--all"], ["get", "a.age", ""], ["history", "a.age", ""],
      ["delete", "a.age", ""],
    ] {
      #expect(try cli.fails(2, empty) == "fdb: error: invalid entity id '': it is empty")
    }
    try cli.fails(2, ["get", "a.age", "u/1 x", "--all"])
  }

  @Test func historyListsVersionsNewestFirstWithLineage() throws {
    let cli = try CLI().initialized([("f", "string")])
    try cli.ok([
      "put", "f", "e", "one", "--event-time", "2026-01-01T00:00:00Z", "--run", "r1", "--producer",
      "p@1",
    ])
    try cli.ok([
      "put", "f", "e", "two", "--event-time", "2026-01-02T00:00:00Z", "--run", "r2", "--input",
      "raw:x",
    ])
    try cli.ok(["delete", "f", "e", "--event-time", "2026-01-03T00:00:00Z", "--note", "gone"])
    let lines = try cli.ok(["history", "f", "e"]).lines
    #expect(lines.count == 4)
    let header = lines[0]
    #expect(header.hasPrefix("VERSION  EVENT-TIME            WRITE-TIME"))
    for column in ["STATUS", "VALUE", "PRODUCER", "RUN", "SOURCE", "INPUTS", "NOTE"] {
      #expect(header.contains(column))
    }
    // Columns line up: each row has its status where the header says STATUS.
    let status = try #require(header.range(of: "STATUS")).lowerBound.utf16Offset(in: header)
    for row in lines.dropFirst() {
      #expect(row.dropFirst(status).hasPrefix("active"), "\(row)")
    }
    #expect(lines[1].hasPrefix("      3  2026-01-03T00:00:00Z"))
    #expect(lines[1].contains("(deleted)") && lines[1].hasSuffix("gone"))
    #expect(lines[2].contains("two") && lines[2].contains("r2") && lines[2].contains("raw:x"))
    #expect(lines[3].contains("one") && lines[3].contains("p@1"))
    let json = try cli.ok(["history", "f", "e", "--json"]).jsonLines
    #expect(json.map { $0["version"] as? Int } == [3, 2, 1])
    #expect(json[0]["deleted"] as? Bool == true && json[0]["value"] is NSNull)
    #expect(json[1]["run"] as? String == "r2" && json[2]["producer"] as? String == "p@1")
    #expect(try cli.ok(["history", "f", "e", "--limit", "1", "--json"]).jsonLines.count == 1)
    #expect(
      try cli.fails(3, ["history", "f", "nobody"])
        == "fdb: error: feature 'f' entity 'nobody' has no versions")
  }

  @Test func deleteWritesATombstoneAndKeepsHistory() throws {
    let cli = try CLI().initialized([("f", "int")])
    try cli.ok(["put", "f", "e", "1", "--event-time", "2026-01-01T00:00:00Z"])
    let deleted = try cli.ok(["delete", "f", "e", "--event-time", "2026-01-02T00:00:00Z", "--json"])
      .json
    #expect(deleted["version"] as? Int == 2 && deleted["deleted"] as? Bool == true)
    let gone = try cli.fails(3, ["get", "f", "e"])
    #expect(gone.contains("deleted by version 2"))
    #expect(
      try cli.ok(["get", "f", "e", "--as-of", "2026-01-01T12:00:00Z", "--quiet"]).stdout == "1\n")
    #expect(try cli.fails(3, ["delete", "f", "nobody"]).contains("nothing to delete"))
    #expect(try cli.fails(3, ["delete", "nope", "e"]) == "fdb: error: unknown feature 'nope'")
    #expect(try cli.ok(["delete", "f", "e", "--quiet"]).stdout.isEmpty)
  }

  @Test func putRejectsBadValuesAndLeavesTheStoreUnchanged() throws {
    let cli = try CLI().initialized([("i", "int"), ("v", "embedding:2")])
    #expect(
      try cli.fails(2, ["put", "i", "e", "1.5"]).contains(
        "invalid value '1.5' for feature 'i' (int)"))
    #expect(try cli.fails(2, ["put", "v", "e", "[1,2,3]"]).contains("got 3"))
    #expect(
      try cli.fails(2, ["put", "i", "e", "1", "--event-time", "tomorrow"]).contains("--event-time"))
    #expect(try cli.fails(2, ["put", "i", "e", "1", "--input", "i:e"]).contains("--input"))
    #expect(try cli.fails(2, ["put", "i", "", "1"]).contains("entity"))
    #expect(try cli.fails(3, ["put", "nope", "e", "1"]) == "fdb: error: unknown feature 'nope'")
    #expect(try cli.fails(3, ["put", "i", "e", "1", "--input", "nope:e@1"]).contains("nope"))
    let negative = try cli.fails(2, ["put", "i", "e", "-5"])
    #expect(negative.contains("fdb put FEATURE ENTITY -- -5"))
    #expect(try cli.ok(["stats", "--json"]).json["entities"] as? Int == 0)
  }
}
