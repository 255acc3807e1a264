import FeatureDB
import Foundation

/// Quality and drift of a pipeline run, stored with the run when it ends (as JSON, in the
/// store's state of namespace `pipeline-quality:<prefix>` under the run id) and shown by
/// `fdb run show`.
public struct RunQuality: Sendable, Hashable, Codable {
  /// The run.
  public var run: String
  /// The run drift is measured against: the latest earlier succeeded run of the same
  /// pipeline (prefix) with a quality record; nil for the first.
  public var baselineRun: String?
  /// One record per feature, in the extractors' order.
  public var features: [FeatureQuality]

  /// The state namespace quality records of the pipeline with `prefix` are kept in.
  static func namespace(prefix: String) -> String { "pipeline-quality:" + prefix }

  /// The quality recorded for `run`, if it is a pipeline run that recorded one; throws
  /// ``PipelineError/corruptState(_:)`` when the record does not decode, and store errors.
  public static func load(_ run: Run, from store: FeatureStore) throws -> RunQuality? {
    guard run.name == "pipeline", let prefix = run.parameters["prefix"],
      let bytes = try store.state(entity: run.id, namespace: namespace(prefix: applied(prefix)))
    else { return nil }
    do { return try JSONDecoder().decode(RunQuality.self, from: Data(bytes)) } catch {
      throw PipelineError.corruptState("quality of run '\(run.id)': \(error)")
    }
  }

  /// The quality of `run` over `features`, with the drift of each feature against the
  /// baseline run found in `store` (see ``baselineRun``).
  static func measure(
    run: Run, features: [FeatureQuality], in store: FeatureStore
  ) throws -> RunQuality {
    var quality = RunQuality(run: run.id, baselineRun: nil, features: features)
    let earlier = try store.runs(limit: .max).filter {
      $0.id != run.id && $0.name == "pipeline" && $0.status == .succeeded
        && $0.parameters["prefix"] == run.parameters["prefix"]
    }
    for candidate in earlier.sorted(by: {
      ($0.finishedAt ?? $0.startedAt) > ($1.finishedAt ?? $1.startedAt)
    }) {
      guard let baseline = try load(candidate, from: store) else { continue }
      quality.baselineRun = candidate.id
      let before = Dictionary(
        baseline.features.map { ($0.feature, $0.bins) }, uniquingKeysWith: { a, _ in a })
      for f in quality.features.indices {
        guard let bins = before[quality.features[f].feature] else { continue }
        quality.features[f].drift = DriftBins.stabilityIndex(quality.features[f].bins, bins)
      }
      break
    }
    return quality
  }

  /// The JSON stored for it.
  func encoded() throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Array(try encoder.encode(self))
  }
}

/// `prefix` as applied to feature names: "" or ending in ".".
func applied(_ prefix: String) -> String {
  prefix.isEmpty || prefix.hasSuffix(".") ? prefix : prefix + "."
}
