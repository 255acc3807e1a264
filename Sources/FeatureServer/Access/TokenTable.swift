/// The bearer tokens a server accepts, each with its role: the contents of `--token-file`.
///
/// The file has one token per line, `ROLE TOKEN` (`read`, `write` or `admin`, a space, then
/// the token); blank lines and lines starting with `#` are skipped. Tokens are compared in
/// constant time and never logged.
public struct TokenTable: Sendable {
  private let entries: [(token: [UInt8], role: Role)]

  /// A table of `(token, role)` pairs.
  public init(_ entries: [(token: String, role: Role)]) {
    self.entries = entries.map { (Array($0.token.utf8), $0.role) }
  }

  /// Parses a token file's text.
  ///
  /// - Throws: ``TokenFileError`` naming the line that is not `ROLE TOKEN`, or a file with no
  ///   token.
  public init(parsing text: String) throws(TokenFileError) {
    var entries: [(String, Role)] = []
    for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
    {
      let line = raw.trimmingCharacters(in: " \t\r")
      if line.isEmpty || line.hasPrefix("#") { continue }
      let parts = line.split(separator: " ", maxSplits: 1)
      guard parts.count == 2, let role = Role(name: String(parts[0])) else {
        throw TokenFileError(
          line: number + 1, reason: "expected 'ROLE TOKEN' with ROLE read, write or admin")
      }
      let token = parts[1].trimmingCharacters(in: " \t")
      guard token.utf8.count >= 16 else {
        throw TokenFileError(line: number + 1, reason: "a token needs at least 16 characters")
      }
      entries.append((String(token), role))
    }
    guard !entries.isEmpty else { throw TokenFileError(line: 0, reason: "no token in the file") }
    self.init(entries)
  }

  /// The role of `token`, or nil. Every entry is compared, each in time that depends only on
  /// the lengths, so the time taken does not tell how much of a token matched.
  public func role(of token: Substring) -> Role? {
    let given = Array(token.utf8)
    var found: Role?
    for entry in entries where Self.constantTimeEquals(entry.token, given) {
      found = max(found ?? entry.role, entry.role)
    }
    return found
  }

  static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
    for i in 0..<max(a.count, b.count) {
      difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
    }
    return difference == 0
  }
}

/// A token file line that is not `ROLE TOKEN`.
public struct TokenFileError: Error, CustomStringConvertible {
  /// The 1-based line (0: the file as a whole).
  public var line: Int
  /// What is wrong with it.
  public var reason: String
  /// `token file line N: reason`.
  public var description: String {
    line == 0 ? "token file: \(reason)" : "token file line \(line): \(reason)"
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: String) -> Substring {
    var s = self
    while let c = s.first, set.contains(c) { s.removeFirst() }
    while let c = s.last, set.contains(c) { s.removeLast() }
    return s
  }
}
