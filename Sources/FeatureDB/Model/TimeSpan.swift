/// A span of time in microseconds (TTL, relative times).
public struct TimeSpan: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// The length in microseconds.
  public var microseconds: Int64
  /// A span of `microseconds`.
  public init(microseconds: Int64) { self.microseconds = microseconds }
  /// A span of `s` seconds.
  public static func seconds(_ s: Int64) -> TimeSpan { TimeSpan(microseconds: s * 1_000_000) }
  /// A span of `m` minutes.
  public static func minutes(_ m: Int64) -> TimeSpan { .seconds(m * 60) }
  /// A span of `h` hours.
  public static func hours(_ h: Int64) -> TimeSpan { .seconds(h * 3600) }
  /// A span of `d` days (of 86,400 seconds).
  public static func days(_ d: Int64) -> TimeSpan { .seconds(d * 86_400) }
  /// Orders spans by length.
  public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.microseconds < b.microseconds }

  /// The largest whole unit: `90s`, `15m`, `24h`, `7d`, or microseconds as `1500000us`.
  public var description: String {
    for (unit, size) in [
      ("d", Int64(86_400_000_000)), ("h", 3_600_000_000), ("m", 60_000_000),
      ("s", 1_000_000),
    ] where microseconds % size == 0 {
      return "\(microseconds / size)\(unit)"
    }
    return "\(microseconds)us"
  }

  /// Parses `90s`, `15m`, `24h`, `7d`, `500ms`, `250us`; nil for anything else.
  public init?(parsing text: String) {
    let units: [(String, Int64)] = [
      ("us", 1), ("ms", 1000), ("s", 1_000_000), ("m", 60_000_000),
      ("h", 3_600_000_000), ("d", 86_400_000_000), ("w", 604_800_000_000),
    ]
    for (suffix, size) in units where text.hasSuffix(suffix) {
      let digits = text.dropLast(suffix.count)
      guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
        let n = Int64(digits)
      else { continue }
      let (v, overflow) = n.multipliedReportingOverflow(by: size)
      guard !overflow else { return nil }
      self.microseconds = v
      return
    }
    return nil
  }
}
