import FeatureDB
import FeaturePipeline
import Foundation

extension Scenarios {
  /// `pipeline_per_batch` and `pipeline_per_event`: `fdb pipeline run`'s work end to end —
  /// read and parse JSON Lines, run every built-in extractor, write the changed values with
  /// lineage, the users' state and the checkpoint, durable commits — over generated events
  /// (issue 11 sizes: 1,000,000 events of 10,000 users; `--quick`: 100,000 of 1,000).
  /// Generating the file is not timed. Figures: events/s, versions written, store size.
  func pipeline(quick: Bool, only: String?, batch: Int) {
    let users = quick ? 1_000 : 10_000
    let dir = temporaryDirectory("pipeline")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let input = dir + "/events.jsonl"
    let inputBytes = writeJSONLines(generatedEvents(quick: quick), to: input)
    for coalesce in Coalesce.allCases {
      let name = "pipeline_" + coalesce.rawValue.replacingOccurrences(of: "-", with: "_")
      if let only, only != "pipeline", only != name { continue }
      let path = dir + "/store-\(coalesce.rawValue)"
      let store = try! FeatureStore(path: path)
      let runner = try! PipelineRunner(
        store: store,
        options: PipelineOptions(runID: "bench", batchSize: batch, coalesce: coalesce))
      let start = nanos()
      let result = try! runner.run(file: input)
      var s = Samples()
      s.wall = nanos() - start
      s.operations = result.events
      // State per user: all users, and those with at most 100 events in their window.
      var sizes: [Int] = []
      var light: [Int] = []
      for u in 0..<users {
        guard let (bytes, events) = try! runner.storedState(of: "user\(u)") else { continue }
        sizes.append(bytes)
        if events <= 100 { light.append(bytes) }
      }
      sizes.sort()
      light.sort()
      report(
        name, nil,
        extra: [
          "events_per_s": Int(s.opsPerSecond), "events": result.events, "users": users,
          "versions": result.versions, "batch": batch, "store_mb": usedBytes(path) >> 20,
          "input_mb": inputBytes >> 20,
          "state_bytes_median": sizes.isEmpty ? 0 : sizes[sizes.count / 2],
          "state_bytes_max": sizes.last ?? 0,
          "state_bytes_max_le100_events": light.last ?? 0,
        ])
    }
  }
}

/// Writes `events` as JSON Lines to `path`; returns the file's size.
@discardableResult
func writeJSONLines(_ events: [BehaviorEvent], to path: String) -> Int {
  let encoder = JSONEncoder()
  var data = Data()
  for e in events {
    data.append(try! encoder.encode(e))
    data.append(10)
  }
  try! data.write(to: URL(fileURLWithPath: path))
  return data.count
}
