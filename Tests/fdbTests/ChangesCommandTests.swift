import Foundation
import Testing

/// `fdb changes`: the feed as text, JSON lines and CSV; following; trim, retention and the
/// distinct exit 5 for a cursor older than the feed.
@Suite struct ChangesCommandTests {
  /// A store with one feature (max versions 2), three puts (the third prunes version 1), a
  /// rollback of run r3 and its undo: changes 1 … 7.
  static func store() throws -> CLI {
    let cli = try CLI().initialized()
    try cli.ok(["define", "f.x", "--type", "double", "--max-versions", "2"])
    for (i, run) in ["r1", "r2", "r3"].enumerated() {
      try cli.ok([
        "put", "f.x", "u1", "\(i).5", "--run", run, "--event-time", "2026-01-0\(i + 1)T00:00:00Z",
      ])
    }
    try cli.ok(["rollback", "--run", "r3"])
    try cli.ok(["undo", "1"])
    return cli
  }

  @Test func printsEveryKindAsTextJSONAndCSV() throws {
    let cli = try Self.store()
    let text = try cli.ok(["changes"]).lines
    #expect(text.count == 7)
    #expect(text[0].hasPrefix("1  ") && text[0].hasSuffix("  defined  f.x  double"))
    #expect(text[1].contains("  written  f.x:u1@1  = 0.5 at 2026-01-01T00:00:00Z run r1"))
    #expect(text[4].contains("  pruned  f.x:u1@1"))
    #expect(text[5].hasSuffix("  retracted  f.x:u1@3  by rollback 1"))
    #expect(text[6].hasSuffix("  restored  f.x:u1@3  by undo 2 of rollback 1"))
    let json = try cli.ok(["changes", "--after", "2", "--json"]).jsonLines
    #expect(json.map { $0["sequence"] as? Int } == [3, 4, 5, 6, 7])
    #expect(json[0]["value"] as? Double == 1.5 && json[0]["run"] as? String == "r2")
    #expect(json[0]["eventTime"] as? String == "2026-01-02T00:00:00Z")
    #expect(json[0]["valueRemoved"] as? Bool == false)
    #expect(json[4]["kind"] as? String == "restored" && json[4]["undoes"] as? Int == 1)
    let csv = try cli.ok(["changes", "--after", "1", "--limit", "2", "--csv"]).lines
    #expect(
      csv == [
        "sequence,kind,time,feature,entity,version,value,event_time,operation,undoes,producer,run,source",
        csv[1], csv[2],
      ])
    #expect(
      csv[1].hasPrefix("2,written,")
        && csv[1].hasSuffix(",f.x,u1,1,0.5,2026-01-01T00:00:00Z,,,,r1,"))
    #expect(try cli.ok(["changes", "--last"]).stdout == "7\n")
    #expect(try cli.ok(["changes", "--features", "f.x", "--after", "6"]).lines.count == 1)
    #expect(try cli.ok(["changes", "--after", "7"]).stdout == "no changes after 7\n")
    #expect(
      try cli.ok(["changes", "--after", "3", "--limit", "1"]).lines.last
        == "more changes: fdb changes --after 4")
  }

  @Test func aTrimmedCursorExitsFiveAndBadArgumentsTwo() throws {
    let cli = try Self.store()
    #expect(try cli.ok(["changes", "trim", "--before", "4"]).stdout == "removed 3 changes\n")
    #expect(
      try cli.fails(5, ["changes", "--after", "2"])
        == "fdb: error: the change feed no longer holds the changes after 2: its oldest retained change is 4; take a snapshot (fdb export) and follow from its sequence number"
    )
    #expect(try cli.ok(["changes", "--after", "3"]).lines.count == 4)
    #expect(
      try cli.fails(2, ["changes", "--after", "8"])
        == "fdb: error: change cursor 8 is beyond the last change 7: it is not from this store")
    #expect(try cli.fails(2, ["changes", "--limit", "0"]).contains("--limit must be at least 1"))
    #expect(try cli.fails(2, ["changes", "--csv", "--json"]).contains("cannot be combined"))
    #expect(
      try cli.fails(3, ["changes", "--after", "3", "--features", "f.nope"])
        == "fdb: error: unknown feature 'f.nope'")
    #expect(try cli.fails(2, ["changes", "retain", "soon"]).contains("bad duration 'soon'"))
    #expect(try cli.ok(["changes", "retain"]).stdout == "change feed keeps changes for 7d\n")
    #expect(try cli.ok(["changes", "retain", "all"]).stdout == "change feed keeps every change\n")
    #expect(try cli.ok(["changes", "retain", "--json"]).json["retention"] is NSNull)
  }

  @Test func followPrintsChangesAsAnotherProcessCommitsThem() throws {
    let cli = try Self.store()
    let follower = try cli.start(["changes", "--after", "7", "--follow", "--limit", "2", "--json"])
    try cli.ok(["put", "f.x", "u2", "9"])
    try cli.ok(["delete", "f.x", "u2"])
    let out = follower.finish()
    #expect(out.status == 0, "\(out)")
    #expect(out.jsonLines.map { $0["kind"] as? String } == ["written", "deleted"])
    #expect(out.jsonLines.map { $0["sequence"] as? Int } == [8, 9])
  }
}
