import Foundation
import Testing

/// `fdb shard-of`, `--shard k/N` on import, pipeline run and partitioned export, and
/// `fdb export --partitioned` (issue 21).
@Suite struct ScaleOutCommandTests {
  func write(_ cli: CLI, _ name: String, _ text: String) -> String {
    let path = cli.dir.child(name)
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    return path
  }

  /// The golden table's values, through the command line.
  @Test func shardOfPrintsTheGoldenShards() throws {
    let cli = CLI()
    #expect(try cli.ok(["shard-of", "u1", "--shards", "3"]).stdout == "1\n")
    #expect(try cli.ok(["shard-of", "user123", "--shards", "65536"]).stdout == "42691\n")
    #expect(try cli.ok(["shard-of", "a:b=c%d", "--shards", "1"]).stdout == "0\n")
    let json = try cli.ok(["shard-of", "user123", "--shards", "16", "--json"]).json
    #expect(json["shard"] as? Int == 14 && json["shards"] as? Int == 16)
    #expect(json["entity"] as? String == "user123")
    // No store is needed or made.
    #expect(!FileManager.default.fileExists(atPath: cli.store))
  }

  @Test func badShardsAreUsageErrors() throws {
    let cli = try CLI().initialized([("spend", "double")])
    let csv = write(cli, "in.csv", "id,spend\nu1,1.0\n")
    try cli.fails(2, ["shard-of", "u1", "--shards", "0"])
    try cli.fails(2, ["shard-of", "", "--shards", "3"])
    for bad in ["3/3", "1", "a/b", "-1/2", "1/70000"] {
      let line = try cli.fails(2, ["import", csv, "--entity-column", "id", "--shard=\(bad)"])
      #expect(line.contains("--shard: invalid shard '\(bad)'"), "\(line)")
      try cli.fails(2, ["pipeline", "run", csv, "--shard=\(bad)"])
      try cli.fails(
        2, ["export", "--features", "spend", "--partitioned", cli.dir.child("p"), "--shard=\(bad)"])
    }
    try cli.fails(2, ["export", "--features", "spend", "--shard", "0/2"])
    try cli.fails(
      2, ["export", "--features", "spend", "--partitioned", cli.dir.child("p"), "--entities", csv])
    try cli.fails(
      2, ["export", "--features", "spend", "--partitioned", cli.dir.child("p"), "--out", csv])
    try cli.fails(
      2,
      [
        "export", "--features", "spend", "--partitioned", cli.dir.child("p"), "--rows-per-file",
        "0",
      ])
    // Nothing was loaded and no directory was made.
    #expect(try cli.run(["get", "spend", "u1"]).status == 3)
    #expect(!FileManager.default.fileExists(atPath: cli.dir.child("p")))
  }

  @Test func importAndPipelineKeepTheirShard() throws {
    let cli = try CLI().initialized([("spend", "double")])
    let ids = (0..<9).map { "user\($0)" }
    let csv = write(cli, "in.csv", "id,spend\n" + ids.map { "\($0),1.0\n" }.joined())
    let shardOne = try ids.filter {
      try cli.ok(["shard-of", $0, "--shards", "3"]).stdout == "1\n"
    }
    let imported = try cli.ok(["import", csv, "--entity-column", "id", "--shard", "1/3", "--json"])
      .json
    #expect(imported["rows"] as? Int == shardOne.count)
    #expect(imported["otherShardRows"] as? Int == ids.count - shardOne.count)
    let note = try cli.ok(["import", csv, "--entity-column", "id", "--shard", "1/3"]).stdout
    #expect(
      note.contains("; \(ids.count - shardOne.count) rows of other shards than 1/3 skipped"),
      "\(note)")
    for id in ids {
      #expect((try cli.run(["get", "spend", id]).status == 0) == shardOne.contains(id), "\(id)")
    }
    let events = write(
      cli, "events.jsonl",
      ids.enumerated().map { i, id in
        "{\"event_id\":\"e\(i)\",\"user_id\":\"\(id)\",\"timestamp\":\"2026-01-05T10:0\(i):00Z\",\"event_type\":\"click\"}\n"
      }.joined())
    let run = try cli.ok(["pipeline", "run", events, "--prefix", "p", "--shard", "1/3", "--json"])
      .json
    #expect(run["events"] as? Int == shardOne.count)
    #expect(run["other_shard_events"] as? Int == ids.count - shardOne.count)
  }

  @Test func partitionedExportWritesADirectoryOnce() throws {
    let cli = try CLI().initialized([("spend", "double")])
    try cli.ok(["put", "spend", "u1", "1.5", "--event-time", "2026-01-05T10:00:00Z"])
    let out = cli.dir.child("exp")
    let note = try cli.ok(["export", "--features", "spend", "--partitioned", out]).stdout
    #expect(
      note.hasPrefix(
        "exported 1 version of 1 entity × 1 feature to \(out) (1 file) as of write time"), "\(note)"
    )
    let part = out + "/feature=spend/date=2026-01-05/part-0-0.csv"
    let text = try String(contentsOfFile: part, encoding: .utf8)
    #expect(
      text.hasPrefix(
        "entity_id,event_time,write_time,version,status,value\nu1,2026-01-05T10:00:00Z,"))
    #expect(text.hasSuffix(",1,active,1.5\n"))
    #expect(FileManager.default.fileExists(atPath: out + "/_SUCCESS"))
    // A second export into it is refused and changes nothing.
    let before = try fingerprint(part)
    let line = try cli.fails(2, ["export", "--features", "spend", "--partitioned", out])
    #expect(
      line == "fdb: error: \(out) is not empty; the export writes into a new or empty directory")
    #expect(try fingerprint(part) == before)
    let json = try cli.ok([
      "export", "--features", "spend", "--partitioned", cli.dir.child("s"), "--shard", "0/2",
      "--json",
    ]).json
    #expect(json["otherShardEntities"] as? Int == 1 && json["versions"] as? Int == 0)
  }
}
