import FeatureDB

/// The exit statuses of `fdb` (documented in docs/cli.md).
public enum ExitStatus: Int32, Sendable {
  /// The command did what it was asked.
  case success = 0
  /// Runtime error: the store, I/O, corrupt data.
  case failure = 1
  /// Usage error: bad flag, bad value, bad time, unknown type string.
  case usage = 2
  /// Not found: unknown feature, no value, history removed by pruning or vacuum.
  case notFound = 3
  /// `fdb verify` found problems (reserved for it).
  case verifyFailed = 4
  /// `fdb changes`: the cursor is older than the change feed retains; re-snapshot.
  case changesTrimmed = 5
}

/// An error of the command line itself: a one-line message and the status to exit with.
public struct CLIError: Error, CustomStringConvertible, Sendable {
  public var status: ExitStatus
  public var message: String

  public init(_ status: ExitStatus, _ message: String) {
    self.status = status
    self.message = message
  }

  public var description: String { message }

  /// A bad flag, value or time (exit 2).
  public static func usage(_ message: String) -> CLIError { CLIError(.usage, message) }
  /// Something asked for does not exist (exit 3).
  public static func notFound(_ message: String) -> CLIError { CLIError(.notFound, message) }
  /// The store or the system failed (exit 1).
  public static func failure(_ message: String) -> CLIError { CLIError(.failure, message) }
}

extension ExitStatus {
  /// The one place that decides how each engine error exits.
  public init(_ error: FeatureDBError) {
    switch error {
    case .unknownFeature, .historyPruned, .historyVacuumed, .exportNeedsRemovedHistory,
      .unknownVersion, .unknownRun, .unknownOperation, .unknownGroup, .nothingToRollBack:
      self = .notFound
    case .invalidFeatureName, .featureTypeConflict, .invalidDefinition, .invalidEntity,
      .typeMismatch, .invalidValue, .timeOutOfRange, .invalidArgument, .badCSV, .cannotUndo,
      .inputNotCommitted, .invalidShard, .outputNotEmpty:
      self = .usage
    case .notAStore, .newerFormat, .permissionDenied, .readOnly, .storeFull, .corruptRecord,
      .corruptStore, .damagedStore, .noSpace, .storage, .operationUnfinished,
      .resourceBusy:
      self = .failure
    case .changesTrimmed:
      self = .changesTrimmed
    }
  }

  /// The status and one-line message for any error a command throws.
  static func of(_ error: any Error) -> (ExitStatus, String) {
    switch error {
    case let error as CLIError: (error.status, error.message)
    case let error as FeatureDBError: (ExitStatus(error), error.description)
    default: (.failure, String(describing: error))
    }
  }
}
