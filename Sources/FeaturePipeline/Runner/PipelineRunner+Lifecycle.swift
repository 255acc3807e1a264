import FeatureDB
import Foundation

/// A run's start (its record, definitions, resumed totals) and end (quality, status).
extension PipelineRunner {

  /// Starts run `runID` from `checkpoint` (nil: from the start): the resumed totals, the
  /// definitions and the run record. A rolled-back run is not continued: its rollback would
  /// no longer cover what it writes.
  ///
  /// - Throws: ``PipelineError/invalidConfiguration(_:)`` when run `runID` was rolled back.
  func start(_ checkpoint: Checkpoint?, runID: String, source: String) throws {
    let resumed = checkpoint?.report
    report = resumed ?? PipelineReport(runID: runID)
    report.runID = runID
    report.interrupted = false
    stopSignal.reset()
    report.startOffset = report.offset
    futureLimit =
      options.maxFutureSkew.map {
        (options.now ?? .now).microseconds.addingReportingOverflow($0.microseconds).partialValue
      } ?? .max
    self.source = source
    emptyCache()
    quality = nil
    qualityCounter = QualityCounter(features: featureNames, resuming: checkpoint?.quality)
    guard options.persist else { return }
    let existing = try store.run(runID)
    if existing?.status == .rolledBack {
      throw PipelineError.invalidConfiguration(
        "run '\(runID)' was rolled back; continue this input under a new run id (--run)")
    }
    try defineFeatures()
    try prepareSaving(runID: runID)
    if existing == nil {
      try store.beginRun(
        Run(
          id: runID, name: "pipeline",
          parameters: [
            "input": source, "prefix": options.prefix,
            "extractors": producers.joined(separator: ","),
            "batch": String(options.batchSize), "coalesce": options.coalesce.rawValue,
            "lateness": options.lateness.description,
          ],
          codeVersion: "FeaturePipeline@\(FeatureStore.version)",
          host: ProcessInfo.processInfo.hostName))
    }
  }

  func finishing(_ body: () throws -> Void) throws -> PipelineReport {
    do {
      try body()
      try committer.drain()
    } catch {
      try? committer.drain()
      clearBatch()
      emptyCache()  // in-memory states may hold uncommitted events
      guard options.persist else { throw error }
      try? store.finishRun(
        report.runID, status: .failed, metadata: metadata(["error": "\(error)"]))
      throw error
    }
    guard options.persist else { return report }
    try recordQuality()
    try store.finishRun(
      report.runID, status: report.interrupted ? .failed : .succeeded,
      metadata: metadata(["interrupted": String(report.interrupted)]))
    return report
  }

  /// Stores the run's quality with the drift against its baseline (see ``RunQuality``).
  func recordQuality() throws {
    guard let run = try store.run(report.runID) else { return }
    let measured = try RunQuality.measure(
      run: run, features: qualityCounter.snapshot, in: store)
    var batch = WriteBatch()
    batch.setState(
      try measured.encoded(), entity: run.id, namespace: RunQuality.namespace(prefix: prefix))
    try store.commit(batch)
    quality = measured
  }

  func metadata(_ extra: [String: String]) -> [String: String] {
    var m = extra
    m["events"] = String(report.events)
    m["versions"] = String(report.versions)
    m["late_events"] = String(report.lateEvents)
    m["too_late_events"] = String(report.tooLateEvents)
    m["future_events"] = String(report.futureEvents)
    if let shard = options.shard {
      m["shard"] = shard.description
      m["other_shard_events"] = String(report.otherShardEvents)
    }
    m["rejected"] = String(report.rejected)
    m["offset"] = String(report.offset)
    m["input"] = source
    return m
  }
}
