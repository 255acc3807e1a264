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

  /// `line N: reason` for a bad event; otherwise the detail, after `corrupt pipeline state: ` or
  /// `checkpoint mismatch: ` for those two cases.
  public var description: String {
    switch self {
    case .badEvent(let line, let reason): "line \(line): \(reason)"
    case .corruptState(let detail): "corrupt pipeline state: \(detail)"
    case .checkpointMismatch(let detail): "checkpoint mismatch: \(detail)"
    case .io(let detail): detail
    case .invalidConfiguration(let detail): detail
    }
  }
}
