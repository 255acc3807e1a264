import Foundation
import Testing

/// Exit codes and the one-line error contract; help is still full help with status 0.
@Suite struct ErrorTests {
  @Test func runtimeErrorsExitOne() throws {
    let cli = CLI()
    for command in [
      ["get", "f", "e"], ["history", "f", "e"], ["features"], ["stats"], ["put", "f", "e", "1"],
      ["vacuum"],
    ] {
      let message = try cli.fails(1, command)
      #expect(message.contains("no store at ./features.fdb"), "\(command): \(message)")
    }
    #expect(!FileManager.default.fileExists(atPath: cli.store))  // no command created it
    try Data("not a store".utf8).write(to: URL(fileURLWithPath: cli.dir.child("file.fdb")))
    #expect(
      try cli.fails(1, ["get", "f", "e", "--db", "file.fdb"]).contains(
        "file.fdb is not a FeatureDB store"))
    #expect(try cli.fails(1, ["init", "--db", "file.fdb"]).contains("not a FeatureDB store"))
    try FileManager.default.createDirectory(
      atPath: cli.dir.child("empty"), withIntermediateDirectories: false)
    #expect(
      try cli.fails(1, ["define", "f", "--type", "int", "--db", "empty"]).contains("no data.mdb"))
    try Data(repeating: 7, count: 8192).write(
      to: URL(fileURLWithPath: cli.dir.child("empty/data.mdb")))
    #expect(try cli.fails(1, ["stats", "--db", "empty"]).contains("not a FeatureDB store"))
  }

  @Test func usageErrorsExitTwoWithoutAUsageDump() throws {
    let cli = try CLI().initialized([("f", "int")])
    let cases: [[String]] = [
      ["get", "f", "e", "--bogus"], ["get"], ["put", "f", "e"], ["nosuchcommand"],
      ["get", "f", "e", "--as-of", "yesterday"], ["get", "f", "e", "--as-of-write", "2026-02-30"],
      ["history", "f", "e", "--limit", "0"], ["history", "f", "e", "--limit", "ten"],
      ["put", "f", "e", "ten"], ["define", "g", "--type", "decimal"], ["get", "f", "e", "extra"],
      ["--db"], ["get", "f", "e", "--db", ""], ["compact", ""],
    ]
    for arguments in cases {
      let message = try cli.fails(2, arguments)
      #expect(!message.contains("USAGE"), "\(arguments): \(message)")
    }
    #expect(
      try cli.fails(2, ["get", "f"])
        == "fdb: error: missing ENTITY: fdb get FEATURE ENTITY, or fdb get ENTITY --all (see 'fdb help get')"
    )
    #expect(
      try cli.fails(2, ["get", "f", "e", "--as-of", "yesterday"]).contains(
        "invalid time 'yesterday' for --as-of"))
  }

  @Test func notFoundExitsThree() throws {
    let cli = try CLI().initialized([("f", "int")])
    #expect(try cli.fails(3, ["get", "nope", "e"]) == "fdb: error: unknown feature 'nope'")
    #expect(
      try cli.fails(3, ["get", "f", "e"]) == "fdb: error: feature 'f' entity 'e' has no value")
    #expect(try cli.fails(3, ["history", "nope", "e"]) == "fdb: error: unknown feature 'nope'")
    #expect(try cli.fails(3, ["get", "e", "--all"]).contains("no values"))
    // An expired value is no value (dated in 2020, so it has expired whatever day this runs).
    try cli.ok(["define", "t", "--type", "int", "--ttl", "1m"])
    try cli.ok(["put", "t", "e", "1", "--event-time", "2020-01-01T00:00:00Z"])
    try cli.fails(3, ["get", "t", "e"])
    #expect(
      try cli.ok(["get", "t", "e", "--as-of", "2020-01-01T00:01:00Z", "--quiet"]).stdout == "1\n")
    try cli.fails(3, ["get", "t", "e", "--as-of", "2020-01-01T00:01:00.000001Z"])
  }

  @Test func helpIsFullHelpWithExamplesAndStatusZero() throws {
    let cli = CLI()
    let names = [
      "init", "define", "features", "describe", "put", "delete", "get", "history", "stats", "prune",
      "vacuum", "compact", "demo",
    ]
    let root = try cli.ok(["--help"]).stdout
    for name in names {
      #expect(root.contains("  \(name) "), "\(name) missing from fdb --help")
      let help = try cli.ok(["help", name]).stdout
      #expect(help.contains("Examples:") && help.contains("fdb \(name)"), "\(name)")
      #expect(help.contains("--db <path>") && help.contains("--json") && help.contains("--quiet"))
      #expect(try cli.ok([name, "--help"]).stdout == help)
    }
    #expect(try cli.ok(["--json", "help", "get"]).stdout.contains("fdb get FEATURE ENTITY"))
    #expect(try cli.ok([]).stdout.contains("SUBCOMMANDS:"))
  }

  @Test func outputThroughAPipeHasNoColour() throws {
    let cli = try CLI().initialized([("f", "int")])
    try cli.ok(["put", "f", "e", "1"])
    for command in [["history", "f", "e"], ["features"], ["stats"], ["get", "e", "--all"]] {
      let out = try cli.ok(command, environment: ["TERM": "xterm-256color"]).stdout
      #expect(!out.contains("\u{1B}"), "\(command)")
    }
  }
}

/// Issue 13, item 10: small CLI slips.
@Suite struct SmallSlipTests {
  let cli = CLI()

  @Test func helpForAnUnknownCommandIsAUsageError() throws {
    let outcome = try cli.run(["help", "bogus"])
    #expect(outcome.status == 2)
    #expect(outcome.stderr == "fdb: error: unknown command 'bogus' (see 'fdb help')\n")
    #expect(try cli.run(["help", "get"]).status == 0)
  }

  @Test func aLongEntityIdIsCutInTheErrorLine() throws {
    #expect(try cli.run(["init"]).status == 0)
    #expect(try cli.run(["define", "n", "--type", "int"]).status == 0)
    let id = String(repeating: "x", count: 10_000)
    for arguments in [["get", "n", id], ["history", "n", id], ["delete", "n", id]] {
      let outcome = try cli.run(arguments)
      #expect(outcome.status != 0)
      #expect(outcome.stderr.count < 300, "\(arguments[0]): \(outcome.stderr.count) characters")
      #expect(outcome.stderr.contains("(10000 bytes)"), "\(outcome.stderr.prefix(200))")
    }
  }

  @Test func initUnderAMissingDirectoryNamesIt() throws {
    let outcome = try cli.run(["--db", cli.dir.child("missing/store.fdb"), "init"])
    #expect(outcome.status != 0)
    #expect(outcome.stderr.contains("does not exist"), "\(outcome.stderr)")
    #expect(!outcome.stderr.contains("permission denied"), "\(outcome.stderr)")
  }
}
