import FeatureDB
import Hummingbird

/// Feast's feature server routes, on the same paths and wire format as `feast serve`, so that
/// Feast's clients (the Python SDK's remote online store) work unchanged.
struct FeastRoutes: Sendable {
  let services: Services
  let lineage = WriteLineage()
  let references = ReferenceCache()

  /// The paths these routes serve (errors on them are answered in Feast's dialect).
  static let paths: Set<String> = [
    "/get-online-features", "/push", "/write-to-online-store", "/health",
  ]

  func add(to router: Router<BasicRequestContext>) {
    let store = services.store
    services.route(router, .post, "/get-online-features", role: .read, dialect: .feast) {
      request, _ in
      let body = try await services.body(OnlineFeaturesRequest.self, request)
      let read = try OnlineRead(
        body, store: store, references: references, maxRows: services.limits.maxRows)
      return .json(read.response(try read.read(store)))
    }
    services.route(router, .post, "/push", role: .write, dialect: .feast) { request, _ in
      let body = try await services.body(PushRequest.self, request)
      let to = body.to ?? "online"
      guard PushRequest.destinations.contains(to) else {
        throw APIError.badBody(
          "to: '\(to)' is not a supported push format; give online, offline or online_and_offline")
      }
      return try await write(
        request, view: body.pushSourceName, df: body.df,
        target: "push source \(body.pushSourceName)",
        unknown: APIError(
          .unprocessableContent,
          "Push source \(body.pushSourceName) does not exist (no feature '\(body.pushSourceName).*')",
          feastClass: "PushSourceNotFoundException"),
        answer: "")
    }
    services.route(router, .post, "/write-to-online-store", role: .write, dialect: .feast) {
      request, _ in
      let body = try await services.body(WriteToOnlineStoreRequest.self, request)
      return try await write(
        request, view: body.featureViewName, df: body.df,
        target: "feature view \(body.featureViewName)",
        unknown: APIError(
          .notFound,
          "Feature view \(body.featureViewName) does not exist (no feature '\(body.featureViewName).*')",
          feastClass: "FeatureViewNotFoundException"),
        answer: "null")
    }
    services.route(router, .get, "/health", role: nil, dialect: .feast) { _, _ in
      _ = try store.read { $0.now }
      return Response(status: .ok)
    }
  }

  /// Writes a Feast frame in one transaction (group-committed with concurrent requests) and
  /// answers as Feast does (`answer` as the body), with the run used in `FeatureDB-Run`.
  private func write(
    _ request: Request, view: String, df: [String: [JSONCell]], target: String,
    unknown: APIError, answer: String
  ) async throws -> Response {
    let frame = try FeastFrame(
      view: view, df: df, catalog: try services.store.features(), maxRows: services.limits.maxRows,
      unknownView: unknown)
    let lineage = lineage.lineage(request, target: target)
    _ = try await services.commits.commit(GroupCommit.Writes(rows: frame.rows, lineage: lineage))
    var response = Response.json(text: answer)
    if answer.isEmpty { response.headers[.contentType] = nil }
    response.headers[WriteLineage.runHeader] = lineage.run
    return response
  }
}
