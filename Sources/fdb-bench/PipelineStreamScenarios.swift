import FeatureDB
import FeaturePipeline
import Foundation
import Synchronization

/// Events in memory, handed out one at a time; records when each was asked for, so the gap
/// between two requests is the time the runner spent on the previous event.
private final class TimedEvents {
  let events: [BehaviorEvent]
  /// Nanoseconds between consecutive events (0: as fast as the runner takes them).
  let pace: UInt64
  let start: UInt64
  var index = 0
  var handedOut: [UInt64] = []

  init(_ events: [BehaviorEvent], pace: UInt64 = 0) {
    self.events = events
    self.pace = pace
    start = nanos()
    handedOut.reserveCapacity(events.count + 1)
  }

  /// When event `i` arrives: now (unpaced) or `start + i × pace`.
  func arrival(_ i: Int) -> UInt64 { start + UInt64(i) * pace }

  /// The events, as the runner reads them.
  var sequence: AnySequence<BehaviorEvent> { AnySequence { AnyIterator { self.next() } } }

  func next() -> BehaviorEvent? {
    if pace > 0 {
      let due = arrival(index)
      while case let now = nanos(), now < due {
        if due - now > 200_000 { usleep(UInt32((due - now - 100_000) / 1000)) }
      }
    }
    handedOut.append(nanos())
    guard index < events.count else { return nil }
    defer { index += 1 }
    return events[index]
  }
}

extension Scenarios {
  /// Generated events of issue 11's sizes (1,000,000 of 10,000 users; `--quick`: 100,000 of
  /// 1,000), in memory.
  func generatedEvents(quick: Bool, count: Int? = nil) -> [BehaviorEvent] {
    var generator = EventGenerator(users: quick ? 1_000 : 10_000, seed: 11)
    return (0..<(count ?? (quick ? 100_000 : 1_000_000))).map { _ in generator.next() }
  }

  /// `generate_events`: writes ``generatedEvents(quick:count:)`` to `path` as JSON Lines (what
  /// the pandas and numpy peers of bench/peers/ read), and reports their number.
  func generateEvents(quick: Bool, to path: String) {
    let events = generatedEvents(quick: quick)
    let bytes = writeJSONLines(events, to: path)
    report("generate_events", nil, extra: ["events": events.count, "bytes": bytes])
  }

  /// `extract_only`: every built-in extractor over events in memory, nothing written (the
  /// runner with `persist: false`). Per-event latency is the gap between the runner's requests
  /// for two consecutive events (batch ends included). Also `parse_and_extract_per_s`: the same
  /// over the JSON Lines file, parsing included.
  func extractOnly(quick: Bool, batch: Int) {
    let events = generatedEvents(quick: quick)
    let dir = temporaryDirectory("extract")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store")
    let options = PipelineOptions(runID: "bench", batchSize: batch, persist: false)
    let timed = TimedEvents(events)
    let start = nanos()
    let result = try! PipelineRunner(store: store, options: options).run(
      events: timed.sequence, input: "memory")
    var s = Samples()
    s.wall = nanos() - start
    s.operations = result.events
    s.latencies = zip(timed.handedOut.dropFirst(), timed.handedOut).map { $0 - $1 }
    let input = dir + "/events.jsonl"
    writeJSONLines(events, to: input)
    let parseStart = nanos()
    let parsed = try! PipelineRunner(store: store, options: options).run(file: input)
    let parseWall = Double(nanos() - parseStart) / 1e9
    report(
      "extract_only", s,
      extra: [
        "events_per_s": Int(s.opsPerSecond), "events": result.events,
        "versions_if_written": result.versions, "batch": batch,
        "parse_and_extract_per_s": Int(Double(parsed.events) / parseWall),
      ])
  }

  /// `pipeline_latency`: events arrive at `--rate` per second (default 10,000; paced, in
  /// memory) for 30 s (`--quick`: 3 s) from 10,000 users (`--quick`: 1,000) and are committed
  /// durably, per-event coalescing with group commit: a batch ends when the previous commit
  /// has finished, or at `--batch` events (default 10,000); an event's latency runs from its
  /// arrival to the end of the commit that holds it. Also reports the commits' sizes in events.
  func pipelineLatency(quick: Bool, batch: Int) {
    let rate = option("rate").flatMap(Int.init) ?? 10_000  // 1…1,000,000: checkArguments
    let events = generatedEvents(quick: quick, count: (quick ? 3 : 30) * rate)
    let dir = temporaryDirectory("latency")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store")
    let runner = try! PipelineRunner(
      store: store,
      options: PipelineOptions(runID: "bench", batchSize: batch, coalesce: .perEvent))
    let commits = Mutex<[(offset: UInt64, at: UInt64)]>([])
    runner.committed = { offset in commits.withLock { $0.append((offset, nanos())) } }
    let timed = TimedEvents(events, pace: UInt64(1_000_000_000 / rate))
    let result = try! runner.run(events: timed.sequence, input: "stream")
    let done = commits.withLock { $0 }
    var s = Samples()
    s.wall = (done.last?.at ?? timed.start) - timed.start
    s.operations = result.events
    var c = 0
    for i in events.indices {
      while c < done.count, done[c].offset <= UInt64(i) { c += 1 }
      guard c < done.count else { break }
      s.latencies.append(done[c].at - timed.arrival(i))
    }
    // A commit's offset is the number of events read when it was submitted.
    let sizes = zip(done.map(\.offset), [0] + done.map(\.offset)).map { Int($0 - $1) }.sorted()
    report(
      "pipeline_latency", s,
      extra: [
        "events_per_s": Int(s.opsPerSecond), "events": result.events, "arrival_per_s": rate,
        "batch": batch, "versions": result.versions, "p99_ms": round3(s.percentile(0.99) / 1000),
        "max_ms": round3(Double(s.latencies.max() ?? 0) / 1e6), "commits": done.count,
        "commit_events_p50": sizes.isEmpty ? 0 : sizes[sizes.count / 2],
        "commit_events_max": sizes.last ?? 0,
      ])
  }
}
