import Foundation
import Testing

/// `fdb pipeline run` after `fdb rollback --run` of a pipeline run: the state is rewound first,
/// and said so in one line; when it cannot be, one error line names the runs (exit 1).
@Suite struct PipelineRewindCommandTests {
  @Test func aRewindIsReportedAndARefusalIsOneLine() throws {
    let cli = try CLI().initialized()
    for (day, seed) in [("day1", "1"), ("day2", "2"), ("day3", "3")] {
      let generated = try cli.ok([
        "pipeline", "generate", "--users", "20", "--events", "300", "--seed", seed,
      ])
      try generated.stdout.write(
        toFile: cli.dir.child("\(day).jsonl"), atomically: true, encoding: .utf8)
    }
    for day in ["1", "2", "3"] {
      let out = try cli.ok(["pipeline", "run", "day\(day).jsonl", "--run", "day-\(day)"])
      #expect(!out.stdout.contains("state rewound"))
    }
    try cli.ok(["rollback", "--run", "day-2", "--cascade"])
    let line = try cli.fails(1, ["pipeline", "run", "day2.jsonl", "--run", "day-2b"])
    #expect(
      line
        == "fdb: error: day2.jsonl: cannot rewind the pipeline state of prefix '' past run 'day-2': run 'day-3' committed after it and is not rolled back, so the state holds what both wrote; roll back run 'day-3' too (fdb rollback --run), or undo the rollback"
    )
    try cli.ok(["rollback", "--run", "day-3", "--cascade"])
    let out = try cli.ok(["pipeline", "run", "day2.jsonl", "--run", "day-2b"])
    let note = out.stdout.split(separator: "\n").filter { $0.hasPrefix("state ") }
    #expect(
      note.count == 1
        && note[0].hasPrefix("state rewound to before rolled-back runs 'day-2', 'day-3' ("),
      "\(out)")
    // The checkpoint of day2.jsonl went back too: the whole file was read again.
    #expect(out.stdout.contains("(this invocation read from byte 0)"), "\(out)")
  }
}
