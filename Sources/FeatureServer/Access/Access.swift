import Hummingbird

/// Who may do what: the token table and `--read-only`, checked before a route reads its body.
struct Access: Sendable {
  let tokens: TokenTable?
  let readOnly: Bool

  /// The cookie the web UI's login sets, holding a token (browsers cannot send a bearer header
  /// from a link or a form).
  static let cookie = "fdb_token"

  /// Checks that `request` may do what `role` allows; the token comes from the `Authorization:
  /// Bearer` header or, for the web UI, the ``cookie``.
  ///
  /// - Throws: ``APIError`` 401 without a bearer token or with an unknown one, 403 when the
  ///   token's role is below `role`, 409 for a write while the server is read-only.
  func check(_ request: Request, _ role: Role) throws(APIError) {
    try check(request.headers, role)
  }

  /// Checks that a request with header fields `headers` may do what `role` allows.
  func check(_ headers: HTTPFields, _ role: Role) throws(APIError) {
    if let tokens {
      let bearer = headers[.authorization].flatMap { header in
        header.hasPrefix("Bearer ") ? header.dropFirst("Bearer ".count) : nil
      }
      guard
        let token = bearer
          ?? Cookies(from: headers[values: .cookie])[Self.cookie].map({ Substring($0.value) })
      else {
        throw APIError(
          .unauthorized, "this server needs a bearer token (Authorization: Bearer TOKEN)")
      }
      guard let granted = tokens.role(of: token) else {
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

  /// Whether `request` may do what `role` allows (the web UI shows the undo button only then).
  func allows(_ request: Request, _ role: Role) -> Bool {
    (try? check(request, role)) != nil
  }
}
