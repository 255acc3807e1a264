import Hummingbird

/// Answers 408 when a request (reading its body included) takes longer than the limit; the
/// work still running is cancelled.
struct RequestTimeout<Context: RequestContext>: RouterMiddleware {
  let milliseconds: Int

  func handle(
    _ request: Request, context: Context, next: (Request, Context) async throws -> Response
  ) async throws -> Response {
    try await withoutActuallyEscaping(next) { next in
      try await withThrowingTaskGroup(of: Response?.self) { group in
        nonisolated(unsafe) let next = next
        group.addTask { try await next(request, context) }
        group.addTask {
          try await Task.sleep(for: .milliseconds(milliseconds))
          return nil
        }
        defer { group.cancelAll() }
        if let response = try await group.next() ?? nil { return response }
        let dialect: Dialect = FeastRoutes.paths.contains(request.uri.path) ? .feast : .native
        return dialect.response(
          APIError(.requestTimeout, "the request took longer than \(milliseconds) ms"))
      }
    }
  }
}
