import FeatureDB
import Foundation
import Testing

/// `fdb init`, `define`, `features`, `describe`, `stats`, run as a user would (`demo`:
/// DemoCommandTests).
@Suite struct CatalogCommandTests {
  @Test func initCreatesTheDefaultStoreOnceAndSaysSo() throws {
    let cli = CLI()
    #expect(try cli.ok(["init"]).stdout == "created store ./features.fdb\n")
    #expect(FileManager.default.fileExists(atPath: cli.store + "/data.mdb"))
    #expect(try cli.ok(["init"]).stdout == "store ./features.fdb already exists; nothing changed\n")
    let json = try cli.ok(["init", "--json"]).json
    #expect(json["created"] as? Bool == false)
    #expect(json["path"] as? String == "./features.fdb")
    #expect(json["formatVersion"] as? Int == Int(FeatureStore.formatVersion))
    #expect(try cli.ok(["init", "--quiet"]).stdout.isEmpty)
    let fresh = try cli.ok(["init", "--db", "other.fdb", "--json"]).json
    #expect(fresh["created"] as? Bool == true)
  }

  @Test func defineReportsCreatesAndChangesRetention() throws {
    let cli = try CLI().initialized()
    let created = try cli.ok([
      "define", "user.spend_7d", "--type", "double", "--max-versions", "5", "--ttl", "30d",
      "--description", "spend, EUR", "--owner", "finance", "--tag", "money", "--tag", "weekly",
    ])
    #expect(created.stdout == "defined user.spend_7d (double, max versions 5, ttl 30d)\n")
    // The same definition again is a no-op.
    let again = try cli.ok([
      "define", "user.spend_7d", "--type", "double", "--max-versions", "5", "--ttl", "30d",
      "--json",
    ]).json
    #expect(again["created"] as? Bool == false && again["changed"] as? Bool == false)
    #expect(again["tags"] as? [String] == ["money", "weekly"])
    #expect(again["owner"] as? String == "finance")
    // Retention changes apply, and lowering max versions points at prune.
    let lowered = try cli.ok(["define", "user.spend_7d", "--type", "double", "--max-versions", "2"])
    #expect(
      lowered.lines == [
        "user.spend_7d: max versions 5 → 2",
        "run 'fdb prune user.spend_7d' to apply the new max versions to stored values now",
      ])
    let noTTL = try cli.ok([
      "define", "user.spend_7d", "--type", "double", "--ttl", "none", "--json",
    ]).json
    #expect(
      noTTL["ttl"] is NSNull && noTTL["maxVersions"] as? Int == 2
        && noTTL["changed"] as? Bool == true)
    let embedding = try cli.ok(["define", "user.vec", "--type", "embedding:3", "--json"]).json
    #expect(
      embedding["type"] as? String == "embedding:3" && embedding["encoding"] as? String == "float32"
    )
    #expect(embedding["maxVersions"] as? Int == 10)
  }

  @Test func defineChangesAnExistingFeatureWithoutItsType() throws {
    let cli = try CLI().initialized()
    try cli.ok(["define", "user.spend_7d", "--type", "double", "--max-versions", "5"])
    let raised = try cli.ok(["define", "user.spend_7d", "--max-versions", "8"])
    #expect(raised.lines == ["user.spend_7d: max versions 5 → 8"])
    let ttl = try cli.ok(["define", "user.spend_7d", "--ttl", "7d", "--owner", "ml"])
    #expect(ttl.lines == ["user.spend_7d: ttl none → 7d", "user.spend_7d: owner changed"])
    let json = try cli.ok(["describe", "user.spend_7d", "--json"]).json
    #expect(json["maxVersions"] as? Int == 8 && json["ttl"] as? String == "7d")
    #expect(json["owner"] as? String == "ml" && json["type"] as? String == "double")
    let same = try cli.ok(["define", "user.spend_7d", "--max-versions", "8"])
    #expect(same.stdout.contains("already defined") && same.stdout.contains("nothing changed"))
    #expect(
      try cli.fails(2, ["define", "user.other", "--max-versions", "3"]).contains(
        "pass --type to define it"))
    #expect(
      try cli.fails(2, ["define", "user.spend_7d", "--type", "int"]).contains(
        "already defined as double"))
  }

  @Test func defineRejectsBadDefinitionsAsUsageErrors() throws {
    let cli = try CLI().initialized([("f", "int")])
    #expect(try cli.fails(2, ["define", "g", "--type", "float"]).contains("unknown type 'float'"))
    #expect(
      try cli.fails(2, ["define", "bad name", "--type", "int"]).contains("invalid feature name"))
    #expect(
      try cli.fails(2, ["define", "f", "--type", "string"]).contains("already defined as int"))
    #expect(
      try cli.fails(2, ["define", "g", "--type", "int", "--encoding", "int8"]).contains(
        "only to embedding"))
    #expect(
      try cli.fails(2, ["define", "g", "--type", "embedding:3", "--encoding", "fp8"]).contains(
        "unknown encoding"))
    #expect(try cli.fails(2, ["define", "g", "--type", "int", "--ttl", "soon"]).contains("--ttl"))
    #expect(
      try cli.fails(2, ["define", "g", "--type", "int", "--max-versions", "many"]).contains(
        "--max-versions"))
    #expect(
      try cli.fails(2, ["define", "f", "--type", "int", "--encoding", "int8"]).contains(
        "only to embedding"))
    try cli.fails(2, ["define", "g"])
    // Nothing was defined by the failures.
    #expect(try cli.ok(["features", "--json"]).jsonLines.map { $0["name"] as? String } == ["f"])
  }

  @Test func featuresListsCountsAndRetention() throws {
    let cli = try CLI().initialized()
    #expect(try cli.ok(["features"]).stdout.contains("no features defined"))
    #expect(try cli.ok(["features", "--json"]).stdout.isEmpty)
    try cli.ok([
      "define", "b.score", "--type", "double", "--ttl", "7d", "--owner", "ml", "--description",
      "a score",
    ])
    try cli.ok(["define", "a.count", "--type", "int", "--max-versions", "0"])
    for (entity, value) in [("u1", "1"), ("u2", "2"), ("u1", "3")] {
      try cli.ok(["put", "a.count", entity, value])
    }
    let lines = try cli.ok(["features"]).lines
    #expect(lines.count == 3)
    #expect(
      lines[0].hasPrefix(
        "NAME     TYPE    ENTITIES  VERSIONS  MAX-VERSIONS  TTL  OWNER  DESCRIPTION"))
    #expect(lines[1] == "a.count  int            2         3     unlimited  -    -      -")
    #expect(lines[2] == "b.score  double         0         0            10  7d   ml     a score")
    let json = try cli.ok(["features", "--json"]).jsonLines
    #expect(json.map { $0["name"] as? String } == ["a.count", "b.score"])
    #expect(json[0]["entities"] as? Int == 2 && json[0]["versions"] as? Int == 3)
    #expect(json[1]["ttl"] as? String == "7d" && json[1]["description"] as? String == "a score")
  }

  @Test func describeShowsDefinitionAndFigures() throws {
    let cli = try CLI().initialized()
    try cli.ok([
      "define", "s", "--type", "string", "--max-versions", "1", "--tag", "t1", "--owner", "me",
    ])
    try cli.ok(["put", "s", "e", "a"])
    try cli.ok(["put", "s", "e", "b"])
    let lines = try cli.ok(["describe", "s"]).lines
    #expect(lines.contains("max versions    1"))
    #expect(lines.contains("owner           me"))
    #expect(lines.contains("tags            t1"))
    #expect(lines.contains("versions        1 (active 1, expired 0)"))
    #expect(lines.contains("removed         1 pruned, 0 vacuumed"))
    let json = try cli.ok(["describe", "s", "--json"]).json
    #expect(json["name"] as? String == "s" && json["type"] as? String == "string")
    #expect(
      json["pruned"] as? Int == 1 && json["versions"] as? Int == 1 && json["entities"] as? Int == 1)
    #expect(try cli.fails(3, ["describe", "nope"]) == "fdb: error: unknown feature 'nope'")
  }

  @Test func statsReportsStoreAndFeatureFigures() throws {
    let cli = try CLI().initialized([("a", "int"), ("b", "string")])
    for e in ["x", "y", "z"] { try cli.ok(["put", "a", e, "1"]) }
    try cli.ok(["put", "b", "x", "hello"])
    let json = try cli.ok(["stats", "--json"]).json
    #expect(json["entities"] as? Int == 3)
    #expect((json["fileBytes"] as? Int ?? 0) > 0 && json["pageSize"] as? Int == 4096)
    let features = try #require(json["features"] as? [[String: Any]])
    #expect(features.map { $0["name"] as? String } == ["a", "b"])
    #expect(features[0]["versions"] as? Int == 3 && features[0]["active"] as? Int == 3)
    #expect(features[1]["entities"] as? Int == 1 && (features[1]["bytes"] as? Int ?? 0) > 0)
    let lines = try cli.ok(["stats"]).lines
    #expect(lines[0] == "store        ./features.fdb")
    #expect(lines.contains("entities     3"))
    // Two definitions and four puts.
    #expect(lines.contains("change feed  6 changes, 1 page"))
    #expect(json["changeRecords"] as? Int == 6 && json["changePages"] as? Int == 1)
    let header = try #require(lines.firstIndex { $0.hasPrefix("FEATURE") })
    #expect(
      lines[header] == "FEATURE  ENTITIES  VERSIONS  ACTIVE  EXPIRED  PRUNED  VACUUMED  BYTES")
    #expect(
      lines[header + 1].hasPrefix("a               3         3       3        0       0         0"))
  }

  @Test func versionNamesTheToolAndTheFormat() throws {
    let out = try CLI().ok(["--version"])
    #expect(out.stdout.hasPrefix("fdb ") && out.stdout.contains("(writes format version "))
    #expect(out.lines.count == 1)
  }

  @Test func helpExamplesFitIn80ColumnsAndNeverBreakMidCommand() throws {
    let cli = CLI()
    let commands = [
      "init", "define", "features", "describe", "put", "delete", "get", "history", "entities",
      "stats", "prune", "vacuum", "compact", "verify", "train-dict", "export", "import", "demo",
    ]
    for command in commands {
      let help = try cli.ok(["help", command]).lines
      guard let start = help.firstIndex(of: "Examples:") else { continue }
      var continued = false
      for line in help[(start + 1)...] {
        if line.isEmpty || line.hasPrefix("USAGE") || line.hasPrefix("ARGUMENTS") { break }
        #expect(line.count <= 80, "fdb help \(command): '\(line)'")
        let text = line.trimmingCharacters(in: .whitespaces)
        #expect(
          continued || text.hasPrefix("fdb ") || text.hasPrefix("FDB_PATH="),
          "fdb help \(command): '\(line)' breaks an example")
        continued = text.hasSuffix("\\")
      }
    }
  }
}
