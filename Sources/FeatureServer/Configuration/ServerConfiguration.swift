/// How the server listens and what it allows.
public struct ServerConfiguration: Sendable {
  /// The address to bind: loopback unless told otherwise.
  public var host: String
  /// The port: 6566, Feast's.
  public var port: Int
  /// Refuse every write (409), whatever the token.
  public var readOnly: Bool
  /// Bearer tokens and their roles; nil serves every request without a token (loopback use).
  public var tokens: TokenTable?
  /// Body, row and time limits.
  public var limits: Limits

  /// A configuration; by default 127.0.0.1:6566, writable, no tokens, default limits.
  public init(
    host: String = "127.0.0.1", port: Int = 6566, readOnly: Bool = false,
    tokens: TokenTable? = nil, limits: Limits = Limits()
  ) {
    self.host = host
    self.port = port
    self.readOnly = readOnly
    self.tokens = tokens
    self.limits = limits
  }
}
