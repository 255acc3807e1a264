import Hummingbird

/// Who may do what: the token table and `--read-only`, checked before a route reads its body.
struct Access: Sendable {
  let tokens: TokenTable?
  let readOnly: Bool

  /// Checks that `request` may do what `role` allows.
  ///
  /// - Throws: ``APIError`` 401 without a bearer token or with an unknown one, 403 when the
  ///   token's role is below `role`, 409 for a write while the server is read-only.
  func check(_ request: Request, _ role: Role) throws(APIError) {
    if let tokens {
      guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else {
        throw APIError(
          .unauthorized, "this server needs a bearer token (Authorization: Bearer TOKEN)")
      }
      guard let granted = tokens.role(of: header.dropFirst("Bearer ".count)) else {
        throw APIError(.unauthorized, "the bearer token is not valid")
      }
      guard granted >= role else {
        throw APIError(
          .forbidden,
          "this needs a token with role \(role.name); the token's role is \(granted.name)",
          feastClass: "FeastPermissionError")
      }
    }
    if readOnly, role >= .write {
      throw APIError(.conflict, "the server is read-only (--read-only): writes are refused")
    }
  }
}
