import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// `PipelineOptions.shard`: a run applies only the events of its shard's users and counts the
/// rest (issue 21, item 2).
@Suite struct ShardRunTests {
  @Test func appliesOnlyItsShardsUsersAndCountsTheRest() throws {
    let users = (0..<12).map { "user\($0)" }
    let events = (0..<48).map { i in
      event(monday + .minutes(Int64(i)), id: "e\(i)", user: users[i % users.count])
    }
    let shard = try Shard(2, of: 3)
    let mine = users.filter(shard.contains)
    #expect(!mine.isEmpty && mine.count < users.count)
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: db, options: PipelineOptions(runID: "r", batchSize: 10, shard: shard))
    let report = try runner.run(events: events, input: "test")
    #expect(report.events == 4 * mine.count)
    #expect(report.otherShardEvents == 48 - 4 * mine.count)
    for u in users {
      let count = try db.latest("activity_count_1h", u)
      #expect((count == .int(4)) == mine.contains(u), "\(u): \(String(describing: count))")
    }
    let run = try #require(try db.run("r"))
    #expect(run.metadata["shard"] == "2/3")
    #expect(run.metadata["other_shard_events"] == String(48 - 4 * mine.count))
  }

  /// A checkpoint written before the count existed decodes with 0.
  @Test func oldCheckpointsDecodeWithNoOtherShardEvents() throws {
    var report = PipelineReport(runID: "r")
    report.otherShardEvents = 3
    var json =
      try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
    #expect(json["otherShardEvents"] as? Int == 3)
    json["otherShardEvents"] = nil
    let old = try JSONDecoder().decode(
      PipelineReport.self, from: JSONSerialization.data(withJSONObject: json))
    #expect(old.otherShardEvents == 0 && old.runID == "r")
  }
}
