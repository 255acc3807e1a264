import FDBCLI
import FeatureDB
import Hummingbird

/// An error answered to a client: a status and a one-line message naming what and where.
///
/// The body depends on the route's ``Dialect``: FeatureDB's own routes answer
/// `{"error": MESSAGE, "status": CODE}`; Feast's routes answer as Feast's feature server does
/// (see ``Dialect/feast``).
public struct APIError: Error, Sendable, CustomStringConvertible {
  /// The HTTP status.
  public var status: HTTPResponse.Status
  /// What went wrong, naming the field, feature or limit concerned.
  public var message: String
  /// The class of `feast.errors` Feast's server raises for this error (Feast's dialect).
  public var feastClass: String
  /// A malformed request body: Feast's server (FastAPI) answers those with its validation shape.
  public var isValidation: Bool

  /// An error with a status and a message.
  public init(
    _ status: HTTPResponse.Status, _ message: String, feastClass: String = "FeastError",
    isValidation: Bool = false
  ) {
    self.status = status
    self.message = message
    self.feastClass = feastClass
    self.isValidation = isValidation
  }

  /// `STATUS: message`.
  public var description: String { "\(status.code): \(message)" }

  /// A body that is not what the route expects (bad JSON, wrong types, missing fields): 400 on
  /// FeatureDB's routes, 422 on Feast's (as FastAPI answers Feast's clients).
  static func badBody(_ message: String) -> APIError {
    APIError(.badRequest, message, isValidation: true)
  }

  /// The status and message for any error a route throws. Engine errors follow the command
  /// line's exit codes (usage → 400, not found → 404, the rest → 500 with the typed message);
  /// a read-only store, an operation undone already and a resource held by another writer are
  /// conflicts (409).
  static func of(_ error: any Error) -> APIError {
    switch error {
    case let error as APIError: return error
    case let error as FeatureDBError: return APIError(error)
    case let error as CLIError: return APIError(status(error.status), error.message)
    case let error as HTTPError: return APIError(error.status, error.body ?? "\(error.status)")
    default: return APIError(.internalServerError, String(describing: error))
    }
  }

  init(_ error: FeatureDBError) {
    switch error {
    case .readOnly, .cannotUndo, .resourceBusy:
      self.init(.conflict, error.description)
    case .unknownGroup:
      self.init(.notFound, error.description, feastClass: "FeatureServiceNotFoundException")
    default:
      let status = Self.status(ExitStatus(error))
      self.init(
        status, error.description,
        feastClass: status == .notFound ? "FeastObjectNotFoundException" : "FeastError")
    }
  }

  private static func status(_ exit: ExitStatus) -> HTTPResponse.Status {
    switch exit {
    case .usage: .badRequest
    case .notFound: .notFound
    case .changesTrimmed: .gone
    case .success, .failure, .verifyFailed: .internalServerError
    }
  }
}
