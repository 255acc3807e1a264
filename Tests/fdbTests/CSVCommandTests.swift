import Foundation
import Testing

@Suite struct CSVCommandTests {
  func write(_ cli: CLI, _ name: String, _ text: String) -> String {
    let path = cli.dir.child(name)
    #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
    return path
  }

  func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

  @Test func importThenExportRoundTrips() throws {
    let cli = try CLI().initialized([("spend", "double"), ("segment", "string")])
    let input = write(
      cli, "in.csv",
      """
      user,ts,spend,segment
      u1,2026-01-01T01:00:00Z,1.5,"a, b"
      u2,2026-01-01T01:00:00Z,,c
      u1,2026-01-01T02:00:00Z,2.5,

      """)
    let imported = try cli.ok([
      "import", input, "--entity-column", "user", "--timestamp-column", "ts", "--run", "r7",
      "--json",
    ])
    #expect(imported.json["rows"] as? Int == 3)
    #expect(imported.json["versions"] as? Int == 4)
    #expect(imported.json["run"] as? String == "r7")
    let history = try cli.ok(["history", "spend", "u1", "--json"]).jsonLines
    #expect(history.first?["source"] as? String == "in.csv:4")
    #expect(history.first?["run"] as? String == "r7")
    try cli.ok([
      "export", "--features", "spend,segment", "--as-of", "2026-01-01T03:00:00Z", "--out",
      cli.dir.child("snap.csv"),
    ])
    #expect(read(cli.dir.child("snap.csv")) == "entity_id,spend,segment\nu1,2.5,\"a, b\"\nu2,,c\n")
    // To stdout: the CSV alone on stdout, the summary on stderr.
    let toStdout = try cli.run(["export", "--features", "spend", "--as-of", "2026-01-01T03:00:00Z"])
    #expect(toStdout.status == 0)
    #expect(toStdout.stdout == "entity_id,spend\nu1,2.5\n")  // u2 has no spend at all: no row
    #expect(toStdout.stderr.hasPrefix("exported 1 row × 1 feature as of write time"))
  }

  @Test func importWithEmptyCellsNullWritesTombstones() throws {
    let cli = try CLI().initialized([("a", "int"), ("b", "int")])
    let view = write(
      cli, "view.csv", "id,ts,a,b\nd1,2026-01-01T00:00:00Z,1,10\nd1,2026-01-01T01:00:00Z,,20\n")
    let imported = try cli.ok([
      "import", view, "--entity-column", "id", "--timestamp-column", "ts", "--empty-cells", "null",
      "--json",
    ])
    #expect(imported.json["versions"] as? Int == 4)
    let rows = write(
      cli, "rows.csv",
      "entity_id,event_timestamp\nd1,2026-01-01T00:30:00Z\nd1,2026-01-01T02:00:00Z\n")
    try cli.ok(["export", "--features", "a,b", "--entities", rows, "--out", cli.dir.child("o.csv")])
    #expect(
      read(cli.dir.child("o.csv"))
        == "entity_id,event_timestamp,a,b\nd1,2026-01-01T00:30:00Z,1,10\nd1,2026-01-01T02:00:00Z,,20\n"
    )
    #expect(try cli.ok(["history", "a", "d1"]).stdout.contains("(deleted)"))
    #expect(
      try cli.fails(2, ["import", view, "--entity-column", "id", "--empty-cells", "zero"]).contains(
        "--empty-cells must be skip or null"))
  }

  @Test func pointInTimeExportWithManifestIsReproducible() throws {
    let cli = try CLI().initialized([("spend", "double")])
    try cli.ok(["put", "spend", "u1", "1", "--event-time", "2026-01-01T01:00:00Z"])
    let rows = write(
      cli, "labels.csv",
      "entity_id,event_timestamp,label\nu1,2026-01-01T02:00:00Z,yes\nu1,2026-01-01T00:00:00Z,no\n")
    let w = try cli.ok(["history", "spend", "u1", "--json"]).jsonLines[0]["writeTime"] as! String
    let first = try cli.ok([
      "export", "--features", "spend", "--entities", rows, "--as-of-write", w,
      "--out", cli.dir.child("a.csv"), "--manifest", cli.dir.child("a.json"), "--json",
    ])
    #expect(first.json["rows"] as? Int == 2)
    #expect(
      read(cli.dir.child("a.csv"))
        == "entity_id,event_timestamp,label,spend\nu1,2026-01-01T02:00:00Z,yes,1.0\nu1,2026-01-01T00:00:00Z,no,\n"
    )
    let manifest =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: cli.dir.child("a.json")))) as! [String: Any]
    #expect(manifest["writeTime"] as? String == w)
    #expect(manifest["kind"] as? String == "point-in-time")
    #expect((manifest["definitions"] as? [[String: Any]])?.first?["name"] as? String == "spend")
    #expect((manifest["storeId"] as? String)?.count == 36)
    try cli.ok(["put", "spend", "u1", "9", "--event-time", "2026-01-01T01:30:00Z"])
    try cli.ok([
      "export", "--features", "spend", "--entities", rows, "--as-of-write", w, "--out",
      cli.dir.child("b.csv"),
    ])
    #expect(read(cli.dir.child("a.csv")) == read(cli.dir.child("b.csv")))
  }

  @Test func exportErrorsExitWithTheirClass() throws {
    let cli = try CLI().initialized([("spend", "double")])
    #expect(try cli.fails(3, ["export", "--features", "nope"]).contains("unknown feature 'nope'"))
    #expect(try cli.fails(2, ["export"]).contains("--features"))
    let bad = write(cli, "bad.csv", "entity_id,event_timestamp\nu1,yesterday\n")
    #expect(
      try cli.fails(
        2, ["export", "--features", "spend", "--entities", bad, "--out", cli.dir.child("x.csv")])
        == "fdb: error: bad.csv: line 2, column 2: 'yesterday' is not an ISO-8601 time")
    #expect(!FileManager.default.fileExists(atPath: cli.dir.child("x.csv")))
    let rows = write(cli, "rows.csv", "entity_id,event_timestamp\n")
    #expect(
      try cli.fails(
        2, ["export", "--features", "spend", "--entities", rows, "--out", "/no/such/dir/x.csv"]
      ).contains("does not exist"))
  }

  @Test func importIsAllOrNothingUnlessBadRowsAreSkipped() throws {
    let cli = try CLI().initialized([("spend", "double")])
    let input = write(cli, "in.csv", "id,spend\nu1,1.0\nu2,lots\nu3,3.0\n")
    #expect(
      try cli.fails(2, ["import", input, "--entity-column", "id"])
        == "fdb: error: in.csv: line 3, column 2: feature 'spend': 'lots' is not a number")
    try cli.fails(3, ["get", "spend", "u1"])  // nothing loaded
    let rejects = cli.dir.child("rejects.csv")
    let outcome = try cli.ok([
      "import", input, "--entity-column", "id", "--skip-bad-rows", rejects, "--json",
    ])
    #expect(outcome.json["rows"] as? Int == 2 && outcome.json["rejected"] as? Int == 1)
    #expect(
      read(rejects) == "line,reason,id,spend\n3,feature 'spend': 'lots' is not a number,u2,lots\n")
    #expect(try cli.ok(["get", "spend", "u3", "--quiet"]).stdout == "3.0\n")
  }

  @Test func importDefinesMissingFeaturesByTheirValues() throws {
    let cli = try CLI().initialized()
    let input = write(
      cli, "in.csv", "id,n,x,ok,name,vec\na,1,1.5,true,Ann,\"[1,2]\"\nb,2,2,false,Bob,\"[3,4]\"\n")
    #expect(
      try cli.fails(2, ["import", input, "--entity-column", "id"]).contains("--define-missing"))
    try cli.ok(["import", input, "--entity-column", "id", "--define-missing"])
    let types = try cli.ok(["features", "--json"]).jsonLines.map { "\($0["name"]!):\($0["type"]!)" }
    #expect(types == ["n:int", "name:string", "ok:bool", "vec:embedding:2", "x:double"])
    #expect(try cli.ok(["get", "vec", "b", "--quiet"]).stdout == "[3.0,4.0]\n")
  }

  @Test func verifyIsCleanOrExitsFour() throws {
    let cli = try CLI().initialized([("spend", "double")])
    try cli.ok(["put", "spend", "u1", "1"])
    let clean = try cli.ok(["verify", "--json"])
    #expect(clean.json["clean"] as? Bool == true)
    #expect(try cli.ok(["verify"]).stdout.hasPrefix("clean:"))
    // Damage a record behind the store's back: flip the last byte of the data file's chain page.
    let data = cli.store + "/data.mdb"
    var bytes = try Data(contentsOf: URL(fileURLWithPath: data))
    // Find the chain record by its value: the double 1.0 is 00 00 00 00 00 00 F0 3F.
    let one = Data([0, 0, 0, 0, 0, 0, 0xF0, 0x3F])
    let range = try #require(bytes.range(of: one))
    bytes[range.upperBound - 1] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: data))
    let broken = try cli.run(["verify"])
    #expect(broken.status == 4)
    #expect(broken.stdout.contains("chains: feature 'spend' entity 'u1': checksum mismatch"))
    #expect(
      try cli.fails(1, ["get", "spend", "u1"]).contains(
        "corrupt record: feature 'spend' entity 'u1'"))
  }

  @Test func trainDictUsesTheFeaturesValues() throws {
    let cli = try CLI().initialized([("profile", "string")])
    let rows = (0..<300).map { i in
      "u\(i),\"{\"\"plan\"\":\"\"\(["free", "pro"][i % 2])\"\",\"\"country\"\":\"\"DE\"\",\"\"seen\"\":\"\"2026-11-\(10 + i % 9)T10:00:00Z\"\",\"\"n\"\":\(i)}\""
    }
    let input = write(cli, "p.csv", "id,profile\n" + rows.joined(separator: "\n") + "\n")
    try cli.ok(["import", input, "--entity-column", "id"])
    let trained = try cli.ok(["train-dict", "profile", "--json"])
    #expect(trained.json["dictionary"] as? Int == 1)
    #expect(trained.json["samples"] as? Int == 300)
    try cli.ok([
      "put", "profile", "new",
      "{\"plan\":\"pro\",\"country\":\"DE\",\"seen\":\"2026-11-12T10:00:00Z\",\"n\":1}",
    ])
    #expect(try cli.ok(["get", "profile", "new", "--quiet"]).stdout.contains("\"plan\":\"pro\""))
    #expect(try cli.fails(3, ["train-dict", "nope"]).contains("unknown feature"))
  }
}
