import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// Input at the edges of what the pipeline accepts: numbers out of a Double's range, sums that
/// overflow, lines over 1 MB, user ids over the store's limit, events dated far ahead.
@Suite struct InputBoundsTests {
  /// An event line of `user` at 2026-01-05T00:0`minute`:00Z with `data`.
  func line(_ id: String, user: String = "u1", minute: Int = 0, data: String = "{}") -> String {
    #"{"event_id":"\#(id)","user_id":"\#(user)","timestamp":"2026-01-05T00:0\#(minute):00Z","event_type":"purchase","data":\#(data)}"#
  }

  func write(_ lines: [String], _ dir: TemporaryDirectory) throws -> String {
    let path = dir.child("events.jsonl")
    try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
    return path
  }

  func runner(_ store: FeatureStore, rejects: String? = nil) throws -> PipelineRunner {
    try PipelineRunner(store: store, options: PipelineOptions(runID: "r", rejectsPath: rejects))
  }

  /// Two finite amounts whose sum overflows: the features may be infinite, the run still
  /// commits and its quality keeps a finite mean.
  @Test func sumsThatOverflowDoNotStopTheRun() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let events = (0..<2).map {
      event(monday + .minutes(Int64($0)), "purchase", ["amount": 1e308])
    }
    let runner = try PipelineRunner(store: db, options: PipelineOptions(runID: "big"))
    let report = try runner.run(events: events, input: "big")
    #expect(report.events == 2)
    #expect(try db.latest("purchase_amount_1h", "u1") == .double(.infinity))
    #expect(try db.latest("value_mean", "u1") == .double(1e308))
    let quality = try #require(runner.quality?.features.first { $0.feature == "value_mean" })
    #expect(quality.mean == 1e308)
    let run = try #require(try db.run("big"))
    let stored = try RunQuality.load(run, from: db)
    #expect(stored == runner.quality)
  }

  /// Means of values near ±1.8e308 of both signs stay finite, in the quality records and in
  /// the statistical features.
  @Test func meansOfHugeValuesOfBothSignsStayFinite() {
    var q = FeatureQuality(feature: "x")
    for (n, x) in [1.7e308, -1.7e308, 1.7e308, -1.7e308].enumerated() {
      q.values = n + 1
      q.addToMean(x)
    }
    #expect(q.mean == 0)
    #expect(meanAndStd([1.7e308, -1.7e308]) == (0, 1.7e308))
    #expect(meanAndStd([1e308, 1e308]) == (1e308, 0))
  }

  /// `1e400` is no Double: a bad line naming the field, with its line number.
  @Test func aNumberOutOfRangeIsABadLine() throws {
    let (db, dir) = try makeStore()
    let path = try write(
      [line("a"), line("b", minute: 1, data: #"{"amount":1e400}"#)], dir)
    #expect(
      throws: PipelineError.badEvent(line: 2, reason: "data.amount: number out of range: 1e400")
    ) {
      try runner(db).run(file: path)
    }
  }

  /// With `--skip-bad-events`, a line over 1 MB and a user id over 400 bytes are rejected with
  /// their line numbers and the run goes on; without, the run stops at them with the line
  /// number, and a later run with a rejects file gets past them.
  @Test func overlongLinesAndUserIDsAreSkippedWithTheirLineNumbers() throws {
    let (db, dir) = try makeStore()
    let long = line(
      "long", minute: 1, data: #"{"note":""# + String(repeating: "x", count: 1_100_000) + #""}"#)
    let user = String(repeating: "u", count: 401)
    let path = try write(
      [
        line("a"), long, line("b", minute: 2), line("c", user: user, minute: 3),
        line("d", minute: 4), long,
      ], dir)
    #expect(
      throws: PipelineError.badEvent(
        line: 2, reason: "line longer than 1 MB (\(long.utf8.count) bytes)")
    ) {
      try runner(db).run(file: path)
    }
    let rejects = dir.child("rejects.jsonl")
    let report = try runner(db, rejects: rejects).run(file: path)
    #expect(report.events == 3 && report.rejected == 3)
    #expect(try db.latest("activity_count_1h", "u1") == .int(3))
    let rejected = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(rejected.map { $0["line"] as? Int } == [2, 4, 6])
    #expect(rejected[0]["reason"] as? String == "line longer than 1 MB (\(long.utf8.count) bytes)")
    #expect((rejected[0]["text"] as? String)?.utf8.count == JSONLinesReader.keptPrefix)
    #expect(
      rejected[1]["reason"] as? String == "user_id: user_id is 401 bytes long; the limit is 400")
  }

  /// An event dated more than the maximum skew after `now` is counted and not applied, so it
  /// cannot make its user's later events too late; one exactly at the bound is applied.
  @Test func eventsTooFarInTheFutureAreCountedAndNotApplied() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: db,
      options: PipelineOptions(
        runID: "f", maxFutureSkew: .days(1), now: monday, coalesce: .perEvent))
    let events = [
      event(monday, id: "a"), event(ts("9999-12-31T00:00:00Z"), id: "far"),
      event(monday + .minutes(1), id: "b"), event(monday + .days(1), id: "edge"),
      event(monday + .days(1) + TimeSpan(microseconds: 1), id: "beyond"),
    ]
    let report = try runner.run(events: events, input: "f")
    #expect(report.futureEvents == 2 && report.futureEventIDs == ["far", "beyond"])
    #expect(report.tooLateEvents == 0 && report.events == 5)
    #expect(try db.asOf("activity_count_1h", "u1", eventTime: monday + .minutes(1)) == .int(2))
    #expect(try db.latestVersion("activity_count_1h", "u1")?.eventTime == monday + .days(1))
    #expect(try db.run("f")?.metadata["future_events"] == "2")
  }
}
