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
      .json(try onlineFeatures(try await services.bytes(request)))
    }
    let maxRows = services.limits.maxRows
    services.route(router, .post, "/push", role: .write, dialect: .feast) { request, _ in
      try await write(request, answer: "") { bytes, catalog in
        let body = try JSONBody.decode(PushRequest.self, from: bytes)
        let to = body.to ?? "online"
        guard PushRequest.destinations.contains(to) else {
          throw APIError.badBody(
            "to: '\(to)' is not a supported push format; give online, offline or online_and_offline"
          )
        }
        let frame = try FeastFrame(
          view: body.pushSourceName, df: body.df, catalog: catalog, maxRows: maxRows,
          unknownView: APIError(
            .unprocessableContent,
            "Push source \(body.pushSourceName) does not exist (no feature '\(body.pushSourceName).*')",
            feastClass: "PushSourceNotFoundException"))
        return (frame, "push source \(body.pushSourceName)")
      }
    }
    services.route(router, .post, "/write-to-online-store", role: .write, dialect: .feast) {
      request, _ in
      try await write(request, answer: "null") { bytes, catalog in
        let body = try JSONBody.decode(WriteToOnlineStoreRequest.self, from: bytes)
        let frame = try FeastFrame(
          view: body.featureViewName, df: body.df, catalog: catalog, maxRows: maxRows,
          unknownView: APIError(
            .notFound,
            "Feature view \(body.featureViewName) does not exist (no feature '\(body.featureViewName).*')",
            feastClass: "FeatureViewNotFoundException"))
        return (frame, "feature view \(body.featureViewName)")
      }
    }
    services.route(router, .get, "/health", role: nil, dialect: .feast) { _, _ in
      _ = try store.read { $0.now }
      return Response(status: .ok)
    }
  }

  /// Feast's answer to the `get-online-features` request `body` (the route's, and
  /// ``DirectReadHandler``'s on the event loop).
  ///
  /// - Throws: ``APIError`` for a malformed body, a limit passed or an unknown feature.
  func onlineFeatures(_ body: ByteBuffer) throws -> ByteBuffer {
    let request = try JSONBody.decode(OnlineFeaturesRequest.self, from: body)
    let read = try OnlineRead(
      request, store: services.store, references: references, maxRows: services.limits.maxRows)
    return read.response(try read.read(services.store))
  }

  /// Writes the Feast frame `frame` makes of the body (with the catalog) in one transaction,
  /// group-committed with concurrent requests, and answers as Feast does (`answer` as the body),
  /// with the run used in `FeatureDB-Run`. Decoding the frame and committing it run on the
  /// writer thread, below the reads' priority; `frame` also names the target for the lineage.
  private func write(
    _ request: Request, answer: String,
    frame: @escaping @Sendable (ByteBuffer, [FeatureDefinition]) throws -> (FeastFrame, String)
  ) async throws -> Response {
    let bytes = try await services.bytes(request)
    let store = services.store
    let (frame, target) = try await services.writer.run { try frame(bytes, try store.features()) }
    let lineage = lineage.lineage(request, target: target)
    _ = try await services.commits.commit(GroupCommit.Writes(rows: frame.rows, lineage: lineage))
    var response = Response.json(text: answer)
    if answer.isEmpty { response.headers[.contentType] = nil }
    response.headers[WriteLineage.runHeader] = lineage.run
    return response
  }
}
