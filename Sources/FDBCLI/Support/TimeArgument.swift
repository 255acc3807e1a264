import FeatureDB

/// Parsing of times and durations given on the command line. Pure functions, no I/O and no clock
/// (the caller passes `now`), so tests and fuzz targets can call them directly.
///
/// Times: ISO-8601 UTC (`2026-01-05T10:30:00Z`, fractional seconds and `±HH:MM` offsets allowed,
/// or a bare date `2026-01-05` for midnight UTC), `now`, or relative to now (`-2h`, `-7d`, `+15m`).
/// Durations: a whole number and a unit: `us`, `ms`, `s`, `m`, `h`, `d`, `w` (`90s`, `15m`, `7d`).
public enum TimeArgument {
  /// The hint shown with every time error.
  static let timeSyntax =
    "expected ISO-8601 UTC like 2026-01-05T10:30:00Z, or relative like -2h, -7d, now"
  /// The hint shown with every duration error.
  static let durationSyntax =
    "expected a whole number and a unit (us, ms, s, m, h, d, w) like 90s, 15m, 24h, 7d"

  /// Parses a time; `option` names the flag in the error (`--as-of`).
  ///
  /// ```swift
  /// try TimeArgument.time("-2h", now: .now, option: "--as-of")   // two hours ago
  /// ```
  public static func time(_ text: String, now: Timestamp, option: String) throws(CLIError)
    -> Timestamp
  {
    let result: Timestamp
    if text == "now" {
      result = now
    } else if let sign = text.first, sign == "-" || sign == "+" {
      guard let span = TimeSpan(parsing: String(text.dropFirst())) else {
        throw .usage("invalid time '\(text)' for \(option): \(timeSyntax)")
      }
      let (micros, overflow) =
        sign == "-"
        ? now.microseconds.subtractingReportingOverflow(span.microseconds)
        : now.microseconds.addingReportingOverflow(span.microseconds)
      guard !overflow else { throw outOfRange(text, option) }
      result = Timestamp(microseconds: micros)
    } else if let t = Timestamp(iso8601: text) {
      result = t
    } else {
      throw .usage("invalid time '\(text)' for \(option): \(timeSyntax)")
    }
    guard result.isValid else { throw outOfRange(text, option) }
    return result
  }

  /// Parses a duration; `option` names the flag in the error (`--ttl`). Zero is an error unless
  /// `allowZero`.
  public static func duration(_ text: String, option: String, allowZero: Bool = false)
    throws(CLIError) -> TimeSpan
  {
    guard let span = TimeSpan(parsing: text) else {
      throw .usage("invalid duration '\(text)' for \(option): \(durationSyntax)")
    }
    guard allowZero || span.microseconds > 0 else {
      throw .usage("invalid duration '\(text)' for \(option): it must be greater than zero")
    }
    return span
  }

  private static func outOfRange(_ text: String, _ option: String) -> CLIError {
    .usage(
      "time '\(text)' for \(option) is outside 0001-01-01T00:00:00Z…9999-12-31T23:59:59.999999Z")
  }
}
