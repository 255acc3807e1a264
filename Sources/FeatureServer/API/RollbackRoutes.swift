import FDBCLI
import FeatureDB
import Hummingbird

/// `POST /api/rollback` and `POST /api/undo` (role admin; a dry run needs only read), as
/// `fdb rollback` and `fdb undo` do them.
struct RollbackRoutes: Sendable {
  let services: Services

  /// A rollback in one of the command line's forms: `feature`+`entity`+`to_version`,
  /// `feature`+`entity`+`to_time`, `feature`+`since`, or `run`.
  struct RollbackBody: Decodable {
    var feature: String?
    var entity: String?
    var toVersion: UInt64?
    var toTime: String?
    var since: String?
    var run: String?
    var cascade: Bool?
    var dryRun: Bool?
    var actor: String?
    var reason: String?

    enum CodingKeys: String, CodingKey {
      case feature, entity, since, run, cascade, actor, reason
      case toVersion = "to_version"
      case toTime = "to_time"
      case dryRun = "dry_run"
    }

    /// The target, checked as `fdb rollback` checks its flags.
    func target(now: Timestamp) throws -> RollbackTarget {
      let forms = [toVersion != nil, toTime != nil, since != nil, run != nil].count { $0 }
      guard forms == 1 else {
        throw APIError.badBody("give one of to_version, to_time, since or run")
      }
      if let run {
        guard feature == nil, entity == nil else {
          throw APIError.badBody("run takes no feature or entity")
        }
        return .run(run)
      }
      guard let feature else { throw APIError.badBody("feature: missing") }
      if let since {
        guard entity == nil else {
          throw APIError.badBody("since rolls back every entity: give no entity")
        }
        return .feature(feature, since: try TimeArgument.time(since, now: now, option: "since"))
      }
      guard let entity else { throw APIError.badBody("entity: missing") }
      if let toVersion { return .toVersion(feature: feature, entity: entity, version: toVersion) }
      return .toTime(
        feature: feature, entity: entity,
        writeTime: try TimeArgument.time(toTime ?? "", now: now, option: "to_time"))
    }
  }

  /// `{"operation": ID}` with an optional actor and reason.
  struct UndoBody: Decodable {
    var operation: UInt64
    var actor: String?
    var reason: String?
  }

  func add(to router: Router<BasicRequestContext>) {
    let store = services.store
    // The role depends on the body (a dry run only reads), so the route asks for read and
    // checks admin itself once the body is read.
    services.route(router, .post, "/api/rollback", role: .read, dialect: .native) { request, _ in
      let body = try await services.body(RollbackBody.self, request)
      let dryRun = body.dryRun ?? false
      if !dryRun { try services.access.check(request, .admin) }
      let target = try body.target(now: .now)
      let result = try store.rollback(
        target,
        RollbackOptions(
          cascade: body.cascade ?? false, dryRun: dryRun, actor: body.actor ?? "http",
          reason: body.reason ?? ""))
      return .json(OperationDisplay.json(result, dryRun: dryRun))
    }
    services.route(router, .post, "/api/undo", role: .admin, dialect: .native) { request, _ in
      let body = try await services.body(UndoBody.self, request)
      let op = try store.undo(
        body.operation, actor: body.actor ?? "http", reason: body.reason ?? "")
      return .json(OperationDisplay.json(op))
    }
  }
}
