import FeatureDB
import FeaturePipeline
import Foundation

extension Scenarios {
  /// `pipeline_memory`: the peak memory of `fdb pipeline run`'s work over generated events
  /// (1,000,000 events of 10,000 users; `--quick`: 100,000 of 1,000), batches of `--batch`
  /// lines and a state cache of `stateCacheMB` MiB, in a child process: its peak resident
  /// memory (which includes the store's pages mapped from the page cache) and its peak anonymous
  /// memory (heap and stacks), sampled after every batch. Generating the file happens in this
  /// process and is not counted.
  func pipelineMemory(quick: Bool, batch: Int, stateCacheMB: Int) {
    let dir = temporaryDirectory("pipeline-memory")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let input = dir + "/events.jsonl"
    let inputBytes = writeJSONLines(generatedEvents(quick: quick), to: input)
    let child = runChild([
      "--child-pipeline", dir + "/store", input, String(batch), String(stateCacheMB),
    ])
    report(
      "pipeline_memory", nil,
      extra: [
        "events": quick ? 100_000 : 1_000_000, "users": quick ? 1_000 : 10_000, "batch": batch,
        "state_cache_mb": stateCacheMB,
        "seconds": round3(child.seconds), "peak_rss_mb": round3(child.peakMB),
        "peak_anon_mb": round3(child.anonymousMB), "input_mb": inputBytes >> 20,
      ])
  }
}

/// The child side of `pipeline_memory`: runs the pipeline over `arguments[2]` into a new store
/// at `arguments[1]` in batches of `arguments[3]` lines with a state cache of `arguments[4]` MiB;
/// prints its time and peak memory as ``childExport(_:)`` does.
func childPipeline(_ arguments: [String]) {
  let start = nanos()
  let store = try! FeatureStore(path: arguments[1])
  let runner = try! PipelineRunner(
    store: store,
    options: PipelineOptions(
      runID: "bench", batchSize: Int(arguments[3])!, stateCacheBytes: Int(arguments[4])! << 20))
  var peakAnonymous = 0
  runner.progress = { _ in peakAnonymous = max(peakAnonymous, anonymousKilobytes()) }
  _ = try! runner.run(file: arguments[2])
  peakAnonymous = max(peakAnonymous, anonymousKilobytes())
  printChildFigures(since: start, peakAnonymousKilobytes: peakAnonymous)
}
