import FeatureDB

/// What can stop a pipeline run.
public enum PipelineError: Error, Sendable, Hashable, CustomStringConvertible {
  /// A line of the input is not a valid event (JSON, a required field, the timestamp, a type,
  /// length, UTF-8). Nothing of the batch it is in was committed.
  case badEvent(line: Int, reason: String)
  /// A state blob or checkpoint in the store does not decode.
  case corruptState(String)
  /// The checkpoint for this input names another file (same path, different identity).
  case checkpointMismatch(String)
  /// Reading the input failed.
  case io(String)
  /// Extractors or options that cannot work together.
  case invalidConfiguration(String)
  /// The pipeline state of `prefix` cannot follow the rollbacks and undos of its runs: a
  /// rolled-back run's state was built on by later runs that are not rolled back, or a rollback
  /// was undone after the state was rewound past it and cannot be reapplied exactly. `runs` are
  /// the runs whose state cannot be rewound or restored, `blocking` the runs that prevent it;
  /// nothing was written. See docs/pipeline.md, *Rollback of a run*.
  case rewindRefused(prefix: String, runs: [String], blocking: [String], reason: String)

  /// `line N: reason` for a bad event; otherwise the detail, after `corrupt pipeline state: ` or
  /// `checkpoint mismatch: ` for those two cases; one line for a refused rewind:
  /// `cannot rewind the pipeline state of prefix 'P' past run 'R': reason`.
  public var description: String {
    switch self {
    case .badEvent(let line, let reason): "line \(line): \(reason)"
    case .corruptState(let detail): "corrupt pipeline state: \(detail)"
    case .checkpointMismatch(let detail): "checkpoint mismatch: \(detail)"
    case .io(let detail): detail
    case .invalidConfiguration(let detail): detail
    case .rewindRefused(let prefix, let runs, _, let reason):
      "cannot rewind the pipeline state of prefix '\(prefix)' past "
        + (runs.count == 1 ? "run " : "runs ") + runs.map { "'\($0)'" }.joined(separator: ", ")
        + ": \(reason)"
    }
  }
}
