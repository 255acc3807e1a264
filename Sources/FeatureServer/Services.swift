import FeatureDB
import Hummingbird
import Logging

/// What every route uses: the store, the access rules, the limits, the group committer and the
/// thread writes are prepared on.
struct Services: Sendable {
  let store: FeatureStore
  let access: Access
  let limits: Limits
  let commits: GroupCommit
  let writer: WriterThread
  let logger: Logger

  /// Adds a route that checks access for `role` first (nil: open to every client, like
  /// `/health`), and answers any error it throws in its `dialect` (never as a crash: the server
  /// keeps serving).
  func route(
    _ router: Router<BasicRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath,
    role: Role?, dialect: Dialect,
    _ handler: @escaping @Sendable (Request, BasicRequestContext) async throws -> Response
  ) {
    router.on(path, method: method) { request, context in
      do {
        if let role { try access.check(request, role) }
        return try await handler(request, context)
      } catch {
        let apiError = APIError.of(error)
        if apiError.status.code >= 500 {
          logger.error(
            "request failed",
            metadata: [
              "path": "\(request.uri.path)", "status": "\(apiError.status.code)",
              "error": "\(apiError.message)",
            ])
        }
        return dialect.response(apiError)
      }
    }
  }

  /// `request`'s JSON body as `T`, within the body size and time limits.
  func body<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
    try await JSONBody.decode(type, from: request, limits: limits)
  }

  /// `request`'s body, within the body size and time limits.
  func bytes(_ request: Request) async throws -> ByteBuffer {
    try await JSONBody.bytes(request, limits: limits)
  }
}
