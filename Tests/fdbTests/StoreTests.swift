import Foundation
import Testing

/// Which store a command opens, that reads leave it alone, and reads while another process writes.
@Suite struct StoreTests {
  @Test func dbOptionBeforeOrAfterTheCommandAndFDBPath() throws {
    let cli = CLI()
    try cli.ok(["--db", "a.fdb", "init"])
    try cli.ok(["init", "--db=b.fdb"])
    try cli.ok(["init"], environment: ["FDB_PATH": cli.dir.child("c.fdb")])
    for store in ["a.fdb", "b.fdb", "c.fdb"] {
      #expect(
        FileManager.default.fileExists(atPath: cli.dir.child(store + "/data.mdb")), "\(store)")
    }
    #expect(!FileManager.default.fileExists(atPath: cli.store))
    try cli.ok(["define", "f", "--type", "string", "--db", "a.fdb"])
    try cli.ok(["--db", "a.fdb", "--quiet", "put", "f", "e", "in-a"])
    try cli.ok(["define", "f", "--type", "string"], environment: ["FDB_PATH": "b.fdb"])
    try cli.ok(["put", "f", "e", "in-b"], environment: ["FDB_PATH": "b.fdb"])
    #expect(try cli.ok(["--db", "a.fdb", "get", "f", "e", "--quiet"]).stdout == "in-a\n")
    #expect(try cli.ok(["get", "f", "e", "--quiet", "--db", "a.fdb"]).stdout == "in-a\n")
    #expect(
      try cli.ok(["--quiet", "get", "f", "e"], environment: ["FDB_PATH": "b.fdb"]).stdout
        == "in-b\n")
    // --db wins over FDB_PATH, in either position.
    #expect(
      try cli.ok(["--db", "a.fdb", "get", "f", "e", "--quiet"], environment: ["FDB_PATH": "b.fdb"])
        .stdout == "in-a\n")
    #expect(
      try cli.ok(["get", "f", "e", "--quiet", "--db", "a.fdb"], environment: ["FDB_PATH": "b.fdb"])
        .stdout == "in-a\n")
    // Global --json before the command.
    #expect(
      try cli.ok(["--json", "--db", "a.fdb", "get", "f", "e"]).json["value"] as? String == "in-a")
    // The default is ./features.fdb in the working directory.
    try cli.ok(["init"])
    #expect(FileManager.default.fileExists(atPath: cli.store + "/data.mdb"))
    try cli.fails(3, ["get", "f", "e"])
  }

  @Test func readCommandsDoNotModifyTheStore() throws {
    let cli = try CLI().initialized([("f", "int"), ("t", "int")])
    try cli.ok(["define", "t", "--type", "int", "--ttl", "1m"])
    try cli.ok(["put", "f", "e", "1"])
    try cli.ok(["put", "t", "e", "1", "--event-time", "-1h"])  // expired, not vacuumed
    let data = cli.store + "/data.mdb"
    let before = try fingerprint(data)
    Thread.sleep(forTimeInterval: 0.02)  // a rewrite would show in the modification time
    let reads: [[String]] = [
      ["get", "f", "e"], ["get", "e", "--all"], ["get", "f", "e", "--as-of", "-1d"],
      ["history", "f", "e"],
      ["features"], ["describe", "t"], ["stats"], ["compact", "copy"], ["get", "t", "e"],
      ["get", "nope", "e"],
      ["history", "t", "nobody"],
    ]
    for arguments in reads {
      _ = try cli.run(arguments)
      _ = try cli.run(arguments + ["--json"])
      #expect(try fingerprint(data) == before, "\(arguments) changed data.mdb")
    }
    try cli.ok(["put", "f", "e", "2"])
    #expect(try fingerprint(data) != before)  // and a write does
  }

  @Test func getReadsWhileAnotherProcessWrites() throws {
    let cli = try CLI().initialized([("child.counter", "int")])
    try cli.ok(["put", "child.counter", "e0", "0"])
    // fdb-test-child writes the values 1…N to e0…e9, one batch per value.
    let writer = try cli.start(
      ["write", cli.store, "2000"], executable: productPath("fdb-test-child"))
    var seen: [Int] = []
    var duringWrites = 0
    while writer.process.isRunning {
      let outcome = try cli.run(["get", "child.counter", "e0", "--quiet"])
      #expect(outcome.status == 0 && outcome.stderr.isEmpty, "\(outcome)")
      let value = try #require(Int(outcome.stdout.dropLast()), "\(outcome)")
      seen.append(value)
      if writer.process.isRunning { duringWrites += 1 }
    }
    let result = writer.finish()
    #expect(result.status == 0, "\(result)")
    #expect(duringWrites > 0, "no read overlapped the writer")
    #expect(seen == seen.sorted(), "values went backwards: \(seen)")
    #expect(try cli.ok(["get", "child.counter", "e9", "--quiet"]).stdout == "2000\n")
  }

  @Test func concurrentPutsFromManyProcessesAllLand() throws {
    let cli = try CLI().initialized()
    try cli.ok(["define", "f", "--type", "int", "--max-versions", "0"])
    let writers = try (1...8).map { try cli.start(["put", "f", "e", String($0), "--quiet"]) }
    var history = (try cli.run(["history", "f", "e", "--json"])).jsonLines  // reads meanwhile
    for w in writers {
      let outcome = w.finish()
      #expect(outcome.status == 0 && outcome.stdout.isEmpty && outcome.stderr.isEmpty, "\(outcome)")
    }
    history = try cli.ok(["history", "f", "e", "--json"]).jsonLines
    #expect(history.map { $0["version"] as? Int } == Array((1...8).reversed()))
    #expect(Set(history.compactMap { $0["value"] as? Int }) == Set(1...8))
  }
}
