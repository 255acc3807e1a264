import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// The runner: changed values only, lineage, coalescing, late events, checkpoints, bad input.
@Suite struct RunnerTests {
  @Test func writesChangedValuesWithTheEventTimeAndLineage() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: db, options: PipelineOptions(prefix: "user", runID: "r1", coalesce: .perEvent))
    let e1 = event(monday + .hours(10), "login", session: "s1", id: "a")
    let e2 = event(monday + .hours(10) + .minutes(5), "page_view", session: "s1", id: "b")
    let report = try runner.run(events: [e1, e2], input: "test")
    // Per-event batches end whenever the committer is idle (group commit): one to three here.
    #expect(report.events == 2 && (1...3).contains(report.batches))
    let counts = try db.history("user.activity_count_1h", "u1")
    #expect(counts.map(\.value) == [.int(2), .int(1)])
    #expect(counts.map(\.eventTime) == [e2.timestamp, e1.timestamp])
    #expect(counts[0].lineage.producer == "extract.windowed@1.1.0")
    #expect(counts[0].lineage.run == "r1")
    #expect(counts[0].lineage.source == "test")
    #expect(counts[0].lineage.inputs == [.raw("b")])
    // Unchanged values are not rewritten: the hour stays 10.
    #expect(try db.history("user.hour_of_day", "u1").count == 1)
    #expect(try db.latest("user.login_frequency_1h", "u1") == .int(1))
    let run = try #require(try db.run("r1"))
    #expect(run.status == .succeeded && run.metadata["events"] == "2")
    #expect(run.parameters["extractors"]?.contains("extract.temporal@1.0.0") == true)
  }

  @Test func perBatchWritesTheLastValueNamingEveryEvent() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(store: db, options: PipelineOptions(runID: "r", batchSize: 3))
    let events = (0..<5).map { event(monday + .minutes(Int64($0)), id: "e\($0)") }
    let report = try runner.run(events: events, input: "test")
    #expect(report.batches == 2)
    let counts = try db.history("activity_count_1h", "u1")
    #expect(counts.map(\.value) == [.int(5), .int(3)])
    #expect(counts[1].lineage.inputs == [.raw("e0"), .raw("e1"), .raw("e2")])
    #expect(counts[0].lineage.inputs == [.raw("e3"), .raw("e4")])
    #expect(counts[1].eventTime == events[2].timestamp)
  }

  @Test func lateEventsArePlacedAndTooLateOnesReported() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: db,
      options: PipelineOptions(runID: "r", lateness: .minutes(15), coalesce: .perEvent))
    let t = monday + .hours(12)
    let events = [
      event(t, id: "a"), event(t + .minutes(10), id: "b"),
      event(t + .minutes(2), "purchase", id: "late", ["amount": 7]),  // 8 min late: placed
      event(t - .minutes(30), id: "too-late"),  // 40 min behind the newest: reported
    ]
    let report = try runner.run(events: events, input: "test")
    #expect(report.lateEvents == 1 && report.tooLateEvents == 1)
    #expect(report.tooLateEventIDs == ["too-late"])
    // As of the late event's time the windows hold a and the late event; the newest value
    // (at b's time) counts all three.
    #expect(try db.asOf("activity_count_1h", "u1", eventTime: t + .minutes(2)) == .int(2))
    #expect(try db.asOf("activity_count_1h", "u1", eventTime: t + .minutes(9)) == .int(2))
    #expect(try db.latest("activity_count_1h", "u1") == .int(3))
    #expect(try db.latest("purchase_amount_1h", "u1") == .double(7))
    #expect(try db.asOf("purchase_amount_1h", "u1", eventTime: t + .minutes(1)) == .double(0))
    #expect(try db.run("r")?.metadata["too_late_events"] == "1")
  }

  /// An event exactly `lateness` behind its user's newest is placed; a microsecond more and it
  /// is too late.
  @Test func theLatenessBoundIsInclusive() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: db, extractors: [TemporalExtractor()],
      options: PipelineOptions(runID: "r", lateness: .minutes(5)))
    let t = monday + .hours(12)
    let report = try runner.run(
      events: [
        event(t, id: "newest"), event(t - .minutes(5), id: "on-the-bound"),
        event(t - .minutes(5) - TimeSpan(microseconds: 1), id: "beyond"),
      ], input: "test")
    #expect(report.lateEvents == 1 && report.tooLateEvents == 1)
    #expect(report.tooLateEventIDs == ["beyond"])
  }

  /// Two runs over a sequence split anywhere give what one run gives (the checkpoint counts
  /// events; the user state is read back from the store).
  @Test(arguments: [Coalesce.perBatch, .perEvent])
  func resumingFromTheCheckpointGivesTheSameStore(_ coalesce: Coalesce) throws {
    let seed = UInt64.random(in: 0...1_000_000)
    print("seed \(seed)")
    var generator = EventGenerator(users: 20, seed: seed)
    let events = (0..<600).map { _ in generator.next() }
    let users = (0..<20).map { "user\($0)" }
    let options = PipelineOptions(runID: "r", batchSize: 50, coalesce: coalesce, maxVersions: 0)
    let (whole, d1) = try makeStore()
    _ = d1
    let one = try PipelineRunner(store: whole, options: options)
    _ = try one.run(events: events, input: "gen")
    let (split, d2) = try makeStore()
    _ = d2
    let cut = 50 * Int.random(in: 1...11)
    _ = try PipelineRunner(store: split, options: options).run(events: events[..<cut], input: "gen")
    let again = try PipelineRunner(store: split, options: options)
    let report = try again.run(events: events, input: "gen")
    #expect(report.startOffset == UInt64(cut) && report.events == 600)
    let a = try dump(whole, features: one.featureNames, users: users, namespace: one.namespace)
    let b = try dump(split, features: one.featureNames, users: users, namespace: one.namespace)
    #expect(a.count > 600)
    #expect(a == b, "seed \(seed), cut \(cut)")
    // Running again writes nothing.
    let none = try PipelineRunner(store: split, options: options).run(events: events, input: "gen")
    #expect(none.versions == report.versions && none.startOffset == 600)
  }

  @Test func fileInputResumesAndStopsAtABadLine() throws {
    let dir = TemporaryDirectory()
    let db = try FeatureStore(path: dir.child("s"), options: StoreOptions(durability: .noSync))
    let path = dir.child("events.jsonl")
    let good = (0..<4).map { event(monday + .minutes(Int64($0)), id: "g\($0)") }
    try writeJSONLines(good, to: path)
    let options = PipelineOptions(runID: "r", batchSize: 2)
    let first = try PipelineRunner(store: db, options: options).run(file: path)
    #expect(first.events == 4 && first.line == 5)
    // Append a batch with a bad third line: the run stops, its batch is not committed.
    var text = try String(contentsOfFile: path, encoding: .utf8)
    let more = (4..<6).map { event(monday + .minutes(Int64($0)), id: "g\($0)") }
    let encoder = JSONEncoder()
    for e in more { text += String(decoding: try encoder.encode(e), as: UTF8.self) + "\n" }
    text += #"{"event_id":"x","user_id":"u1","timestamp":"yesterday","event_type":"click"}"# + "\n"
    text += #"{"event_id":"y","user_id":"u1","event_type":"click"}"# + "\n"
    text += "not json\n"
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    #expect(
      throws: PipelineError.badEvent(line: 7, reason: "timestamp: unparsable timestamp 'yesterday'")
    ) {
      try PipelineRunner(store: db, options: options).run(file: path)
    }
    // Lines 5 and 6 were a whole batch; line 7's batch (7 and 8) is not committed.
    #expect(try db.latest("activity_count_1h", "u1") == .int(6))
    let name = try PipelineRunner(store: db, options: options).checkpointName(path)
    let checkpoint = try JSONDecoder().decode(
      Checkpoint.self, from: Data(try #require(try db.checkpoint(name))))
    #expect(checkpoint.report.line == 7)
    #expect(try db.run("r")?.status == .failed)
    // With a rejects file, the bad lines are written there and the run goes on.
    let rejects = dir.child("rejects.jsonl")
    var skipping = options
    skipping.rejectsPath = rejects
    let report = try PipelineRunner(store: db, options: skipping).run(file: path)
    #expect(report.events == 6 && report.rejected == 3)
    #expect(try db.latest("activity_count_1h", "u1") == .int(6))
    let lines = try String(contentsOfFile: rejects, encoding: .utf8).split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines[1].contains(#""reason":"missing required field 'timestamp'""#))
    #expect(lines[2].contains("not a JSON object"))
    #expect(try db.run("r")?.status == .succeeded)
  }

  @Test func badEventReasons() {
    let decoder = EventDecoder()
    func reason(_ text: String) -> String {
      do {
        _ = try decoder.decode(ArraySlice(Array(text.utf8)), line: 1)
        return "ok"
      } catch {
        if case .badEvent(_, let r) = error { return r }
        return "\(error)"
      }
    }
    #expect(
      reason(#"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x"}"#)
        == "ok")
    #expect(
      reason(#"{"event_id":1,"user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x"}"#)
        == "wrong value type for 'event_id'")
    #expect(
      reason(#"{"event_id":"1","user_id":"","timestamp":"2026-01-01T00:00:00Z","event_type":"x"}"#)
        .contains("user_id is empty"))
    #expect(
      reason(
        #"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x","data":{"a":[1]}}"#
      ).hasPrefix("data.a"))
    #expect(reason("{\"event_id\":\"\u{FF}") == "malformed JSON")
    let invalid =
      [UInt8](#"{"event_id":""#.utf8) + [0xFF, 0xFE] + [UInt8](#"","user_id":"u"}"#.utf8)
    do {
      _ = try decoder.decode(ArraySlice(invalid), line: 4)
      Issue.record("invalid UTF-8 accepted")
    } catch {
      #expect(error == .badEvent(line: 4, reason: "invalid UTF-8"))
    }
  }
}

/// The runner's own JSON parser agrees with `JSONDecoder` on the same lines.
@Suite struct EventParserTests {
  @Test func agreesWithJSONDecoderOnGeneratedEvents() throws {
    let seed = UInt64.random(in: 0...1_000_000)
    print("parser seed \(seed)")
    var generator = EventGenerator(users: 50, seed: seed)
    let encoder = JSONEncoder()
    let decoder = EventDecoder()
    for i in 0..<2_000 {
      var e = generator.next()
      if i % 7 == 0 { e.userID = "ü \"quoted\" \\ /\u{1F600}\n\t" }
      if i % 11 == 0 { e.data["big"] = .number(-1.5e300) }
      if i % 13 == 0 { e.sessionID = nil }
      let line = ArraySlice(Array(try encoder.encode(e)))
      let fast = try decoder.decode(line, line: i)
      #expect(fast == e, "seed \(seed) line \(i)")
      #expect(fast == (try decoder.decodeWithFoundation(line, line: i)))
    }
  }

  @Test func reportsTheSameProblems() {
    let decoder = EventDecoder()
    let lines = [
      #"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x","extra":[1,{"a":null}],"source":null}"#,
      #"  {"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x","data":{}}  "#,
      #"{"event_id":"\u00e9\ud83d\ude00","user_id":"u","timestamp":"2026-01-01","event_type":"x"}"#,
      #"{"event_id":1,"user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x"}"#,
      #"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z"}"#,
      #"{"event_id":"1","user_id":"u","timestamp":"2026-13-01T00:00:00Z","event_type":"x"}"#,
      #"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x"} x"#,
      #"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x","#,
      #"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":"x","data":{"a":true,"b":-2,"c":"s"}}"#,
      #"{"event_id":"1","user_id":"u","timestamp":"2026-01-01T00:00:00Z","event_type":null}"#,
    ]
    enum Outcome: Equatable {
      case event(BehaviorEvent)
      case reason(String)
    }
    func outcome(_ r: () throws(PipelineError) -> BehaviorEvent) -> Outcome {
      do { return .event(try r()) } catch {
        if case .badEvent(_, let reason) = error {
          // JSONDecoder's own wording for syntax errors differs; both say what field.
          return .reason(
            reason.hasPrefix("malformed") || reason.contains("JSON") ? "malformed" : reason)
        }
        return .reason("\(error)")
      }
    }
    for (line, reason) in [
      ("[]", "not a JSON object"), ("nul", "not a JSON object"), ("", "empty line"),
    ] {
      #expect(throws: PipelineError.badEvent(line: 1, reason: reason)) {
        try decoder.decode(ArraySlice(Array(line.utf8)), line: 1)
      }
    }
    for line in lines {
      let bytes = ArraySlice(Array(line.utf8))
      let fast = outcome { () throws(PipelineError) in try decoder.decode(bytes, line: 1) }
      let slow = outcome { () throws(PipelineError) in
        try decoder.decodeWithFoundation(bytes, line: 1)
      }
      #expect(fast == slow, "\(line)")
    }
  }
}

/// Derived features name the parent versions they were computed from; a run rolls back whole.
@Suite struct DerivedLineageTests {
  @Test(arguments: [Coalesce.perEvent, .perBatch])
  func derivedVersionsNameTheirParents(_ coalesce: Coalesce) throws {
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: db, options: PipelineOptions(runID: "r1", batchSize: 2, coalesce: coalesce))
    let t = monday + .hours(9)
    let events = [
      event(t, "purchase", id: "p1", ["amount": 5]),
      event(t + .minutes(1), "purchase", id: "p2", ["amount": 7]),
      event(t + .minutes(2), "page_view", id: "v3", ["resource": "/a"]),
    ]
    _ = try runner.run(events: events, input: "test")
    for (derived, parents) in [
      ("engagement_score", ["activity_count_24h", "distinct_resources_24h"]),
      ("z_score", ["value_mean", "value_std"]), ("ratio_to_mean", ["value_mean"]),
    ] {
      let latest = try #require(try db.history(derived, "u1").first)
      for p in parents {
        // The parent's version that was current at the derived version's event time.
        let parent = try #require(
          try db.history(p, "u1").first { $0.eventTime <= latest.eventTime })
        #expect(
          latest.lineage.inputs.contains(.version(p, "u1", parent.version)),
          "\(derived)@\(latest.version) \(latest.lineage.inputs)")
      }
    }
    let tree = try db.upstream("engagement_score", "u1")
    #expect(tree.children.contains { $0.ref?.feature == "activity_count_24h" })
    // Rolling the run back (with cascade) leaves nothing of it.
    let result = try db.rollback(.run("r1"), RollbackOptions(cascade: true, reason: "test"))
    #expect(result.retracted > 0)
    for f in runner.featureNames { #expect(try db.latest(f, "u1") == nil, "\(f)") }
  }

  /// Another writer of a pipeline feature during a run stops it; the next run counts on from
  /// the store's version numbers and finishes the input (the checkpoint is never stuck).
  @Test func anotherWriterOfThePipelinesFeaturesStopsTheRunAndTheNextOneGoesOn() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let events = (0..<4).map { event(monday + .minutes($0)) }
    let runner = try PipelineRunner(
      store: db, options: PipelineOptions(runID: "r", batchSize: 1, coalesce: .perEvent))
    runner.progress = { report in
      if report.batches == 1 {
        _ = try? db.put("activity_count_1h", "u1", 99, eventTime: monday - .hours(1))
      }
    }
    #expect(throws: PipelineError.self) { try runner.run(events: events, input: "test") }
    #expect(try db.run("r")?.status == .failed)
    let report = try PipelineRunner(
      store: db, options: PipelineOptions(runID: "r2", batchSize: 1, coalesce: .perEvent)
    ).run(events: events, input: "test")
    #expect(report.events == 4)
    #expect(try db.latest("activity_count_1h", "u1") == .int(4))
    // A user met for the first time after another writer wrote its features counts on too.
    try db.write { $0.put("activity_count_1h", "u2", 7) }
    _ = try PipelineRunner(store: db, options: PipelineOptions(runID: "r3"))
      .run(events: [event(monday, user: "u2")], input: "u2")
    #expect(try db.history("activity_count_1h", "u2").map(\.version) == [2, 1])
  }
}
