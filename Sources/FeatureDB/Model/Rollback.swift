/// What a rollback retracts.
public enum RollbackTarget: Sendable, Hashable, CustomStringConvertible {
  /// One value: the versions of (feature, entity) newer than `version` (which must be
  /// retained).
  case toVersion(feature: String, entity: String, version: UInt64)
  /// One value: the versions of (feature, entity) written after `writeTime`.
  case toTime(feature: String, entity: String, writeTime: Timestamp)
  /// One feature across all entities: the versions written after `since`.
  case feature(String, since: Timestamp)
  /// Every version a run wrote.
  case run(String)

  /// What the target names, as the operations log records it: `value F:E to version N`,
  /// `value F:E to write time T`, `feature F since T` or `run ID`.
  public var description: String {
    switch self {
    case .toVersion(let f, let e, let v): "value \(f):\(e) to version \(v)"
    case .toTime(let f, let e, let w): "value \(f):\(e) to write time \(w)"
    case .feature(let f, let since): "feature \(f) since \(since)"
    case .run(let id): "run \(id)"
    }
  }
}

/// How a rollback runs.
public struct RollbackOptions: Sendable, Hashable {
  /// Also retract every version derived from the retracted ones, transitively.
  public var cascade: Bool
  /// Report what would change and change nothing.
  public var dryRun: Bool
  /// Who asks (recorded in the operations log).
  public var actor: String
  /// Why (recorded in the operations log).
  public var reason: String

  /// Creates options; by default a rollback retracts only the target and changes the store.
  public init(cascade: Bool = false, dryRun: Bool = false, actor: String = "", reason: String = "")
  {
    self.cascade = cascade
    self.dryRun = dryRun
    self.actor = actor
    self.reason = reason
  }
}

/// What a rollback did (or, for a dry run, would do).
public struct RollbackResult: Sendable, Hashable {
  /// The operation recorded (nil for a dry run).
  public var operation: OperationRecord?
  /// Versions retracted (or that would be): the target's and the cascade's.
  public var retracted: Int
  /// Of those, the ones retracted because they derive from the others.
  public var cascaded: Int
  /// The first versions retracted (at most 1,000), target first, then cascade.
  public var versions: [VersionRef]
}
