/// A job run: the unit that writes versions (an import, a pipeline run, a backfill). Each
/// version names the run that wrote it (``Lineage/run``), so a whole run can be inspected or
/// rolled back.
///
/// ```swift
/// try db.beginRun(Run(id: "spend-2026-01-05", name: "spend.daily", parameters: ["day": "2026-01-05"]))
/// try db.write { $0.lineage.run = "spend-2026-01-05"; $0.put("user.spend_7d", "u1", 12.5) }
/// try db.finishRun("spend-2026-01-05", status: .succeeded)
/// ```
public struct Run: Codable, Sendable, Hashable {
  /// Where a run stands.
  public enum Status: String, Codable, Sendable {
    /// Begun and not finished yet.
    case running
    /// Finished successfully.
    case succeeded
    /// Finished with a failure.
    case failed
    /// A rollback retracted what it wrote.
    case rolledBack = "rolled_back"
  }

  /// The run id versions name in their lineage.
  public var id: String
  /// The job or pipeline it ran (defaults to the id).
  public var name: String
  /// Parameters it ran with.
  public var parameters: [String: String]
  /// Version of the code that ran (e.g. a git commit).
  public var codeVersion: String?
  /// Machine it ran on.
  public var host: String?
  /// When the run began.
  public var startedAt: Timestamp
  /// When ``FeatureStore/finishRun(_:status:metadata:)`` recorded its end; nil while running.
  public var finishedAt: Timestamp?
  /// Where the run stands.
  public var status: Status
  /// Free-form metadata.
  public var metadata: [String: String]
  /// True when a write named the run before anyone began it.
  public var implicit: Bool

  /// The metadata key where a rollback of the run keeps the status it had (an undo restores it).
  public static let statusBeforeRollback = "status_before_rollback"

  /// Describes a run to pass to ``FeatureStore/beginRun(_:)``; `name` defaults to the id,
  /// `startedAt` to now and `status` to ``Status/running``.
  public init(
    id: String, name: String? = nil, parameters: [String: String] = [:],
    codeVersion: String? = nil, host: String? = nil, startedAt: Timestamp = .now,
    status: Status = .running, metadata: [String: String] = [:]
  ) {
    self.id = id
    self.name = name ?? id
    self.parameters = parameters
    self.codeVersion = codeVersion
    self.host = host
    self.startedAt = startedAt
    self.finishedAt = nil
    self.status = status
    self.metadata = metadata
    self.implicit = false
  }
}

/// What a run wrote of one feature (from the run index, kept in the write transaction).
public struct RunFeatureSummary: Hashable, Sendable {
  /// The feature written.
  public var feature: String
  /// Versions the run wrote of it.
  public var versions: Int
  /// Entities it wrote at least one version of the feature for.
  public var entities: Int
  /// Write time of the first version the run wrote of the feature.
  public var firstWrite: Timestamp
  /// Write time of the last version the run wrote of the feature.
  public var lastWrite: Timestamp
}
