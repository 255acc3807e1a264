import Foundation
import Testing

/// `fdb pipeline run --state-cache-mb`: states past the budget are read back from the store,
/// with the same versions; a bad budget is a usage error (issue 19, item 16).
@Suite struct PipelineStateCacheCommandTests {
  @Test func noCacheGivesTheSameVersions() throws {
    var exports: [String] = []
    for cache in ["256", "0"] {
      let cli = try CLI().initialized()
      let events = cli.dir.child("events.jsonl")
      let generated = try cli.ok(["pipeline", "generate", "--users", "30", "--events", "600"])
      try generated.stdout.write(toFile: events, atomically: true, encoding: .utf8)
      try cli.ok(
        ["pipeline", "run", events, "--prefix", "user", "--batch", "50", "--state-cache-mb", cache])
      let export = try cli.run([
        "export", "--features", "user.activity_count_24h,user.distinct_resources_24h,user.trend_7d",
      ])
      #expect(export.status == 0, "\(export)")
      exports.append(export.stdout)
    }
    #expect(exports[0].split(separator: "\n").count > 10)
    #expect(exports[0] == exports[1])
  }

  @Test func aNegativeBudgetIsAUsageError() throws {
    let cli = try CLI().initialized()
    let events = cli.dir.child("events.jsonl")
    try "".write(toFile: events, atomically: true, encoding: .utf8)
    let line = try cli.fails(2, ["pipeline", "run", events, "--state-cache-mb", "-1"])
    #expect(line.contains("--state-cache-mb"))
  }
}
