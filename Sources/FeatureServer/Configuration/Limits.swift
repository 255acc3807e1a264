/// What one request may ask of the server; past each limit it gets a 4xx naming the limit.
public struct Limits: Sendable, Hashable {
  /// Largest request body in bytes (413 past it).
  public var maxBodyBytes: Int
  /// Most entity rows in one read, or rows in one push (400 past it).
  public var maxRows: Int
  /// Longest a request's body may take to arrive, in milliseconds (408 past it).
  public var requestTimeoutMilliseconds: Int

  /// The defaults: 8 MiB bodies, 10,000 rows, 30 s.
  public init(
    maxBodyBytes: Int = 8 << 20, maxRows: Int = 10_000, requestTimeoutMilliseconds: Int = 30_000
  ) {
    self.maxBodyBytes = maxBodyBytes
    self.maxRows = maxRows
    self.requestTimeoutMilliseconds = requestTimeoutMilliseconds
  }
}
