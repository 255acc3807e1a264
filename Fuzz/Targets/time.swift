// Fuzz target `time`: the time and duration parsers over arbitrary text — `Timestamp(iso8601:)`,
// `Timestamp(csv:)`, `TimeSpan(parsing:)` and the CLI's `TimeArgument.time` and
// `TimeArgument.duration` (compiled into this target from Sources/FDBCLI).
//
// Input: the text (UTF-8; invalid bytes become U+FFFD).
//
// Properties: what parses matches the documented syntax; a valid parsed time prints as ISO-8601
// that parses back to the same instant, and a duration prints as text that parses back to the
// same span; the CLI accepts exactly what the library's parsers accept (relative times are now
// ± the span), only times in the valid range, and names the option in every error.

@testable import FeatureDB

/// Whether `text` has the syntax docs/cli.md gives for ISO-8601: a date, optionally a time
/// (seconds and fraction optional) with `Z`, an offset or no zone (UTC); a space may stand for
/// the `T`.
private func isISO8601Syntax(_ text: String) -> Bool {
  var p = Array(text.utf8)[...]
  func digits(_ n: Int) -> Bool {
    guard p.count >= n, p.prefix(n).allSatisfy(isDigit) else { return false }
    p.removeFirst(n)
    return true
  }
  func literal(_ c: Unicode.Scalar) -> Bool {
    guard p.first == UInt8(ascii: c) else { return false }
    p.removeFirst()
    return true
  }
  guard digits(4), literal("-"), digits(2), literal("-"), digits(2) else { return false }
  if p.isEmpty { return true }
  guard literal("T") || literal(" "), digits(2), literal(":"), digits(2) else { return false }
  if literal(":") {
    guard digits(2) else { return false }
    if literal(".") {
      guard digits(1) else { return false }
      while p.first.map(isDigit) == true { p.removeFirst() }
    }
  }
  if p.isEmpty { return true }  // no zone: UTC
  if !literal("Z") {
    guard literal("+") || literal("-"), digits(2), literal(":"), digits(2) else { return false }
  }
  return p.isEmpty
}

/// The digits and unit of a duration with the syntax docs/cli.md gives (a whole number and a
/// unit), or nil.
private func durationSyntax(_ text: String) -> (digits: Substring, unit: Substring)? {
  guard let end = text.firstIndex(where: { !isDigit($0) }), end != text.startIndex else {
    return nil
  }
  let unit = text[end...]
  return unitSizes[unit] == nil ? nil : (text[..<end], unit)
}

private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
private func isDigit(_ c: Character) -> Bool { c.isASCII && c.asciiValue.map(isDigit) == true }

private let unitSizes: [Substring: Int64] = [
  "us": 1, "ms": 1000, "s": 1_000_000, "m": 60_000_000, "h": 3_600_000_000, "d": 86_400_000_000,
  "w": 604_800_000_000,
]

private let nows = [
  Timestamp.min, Timestamp(microseconds: 0), Timestamp(iso8601: "2026-01-05T10:30:00Z")!,
  Timestamp.max,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
  checkTimestamp(text)
  checkSpan(text)
  for now in nows { checkTimeArgument(text, now: now) }
  return 0
}

private func checkTimestamp(_ text: String) {
  if let t = Timestamp(iso8601: text) {
    check(
      isISO8601Syntax(text),
      "'\(text)' parses as ISO-8601 (\(t.microseconds)µs) but is not")
    if t.isValid {
      check(
        Timestamp(iso8601: t.iso8601) == t,
        "'\(text)' parses to \(t.microseconds)µs, printed '\(t.iso8601)', which parses to \(String(describing: Timestamp(iso8601: t.iso8601)))"
      )
    }
  }
  if let t = Timestamp(csv: text), t.isValid {
    check(
      Timestamp(csv: t.iso8601) == t,
      "CSV time '\(text)' parses to \(t.microseconds)µs, printed '\(t.iso8601)'")
  }
}

private func checkSpan(_ text: String) {
  let span = TimeSpan(parsing: text)
  if let (digits, unit) = durationSyntax(text) {
    let micros = Int64(digits).map { $0.multipliedReportingOverflow(by: unitSizes[unit]!) }
    let expected = micros.flatMap { $0.overflow ? nil : $0.partialValue }
    check(
      span?.microseconds == expected,
      "duration '\(text)' parses to \(String(describing: span)), expected \(String(describing: expected))µs"
    )
  } else {
    check(span == nil, "'\(text)' parses as a duration (\(span!.microseconds)µs) but is not one")
  }
  if let span {
    check(
      TimeSpan(parsing: span.description) == span,
      "duration '\(text)' prints as '\(span.description)', which parses to \(String(describing: TimeSpan(parsing: span.description)))"
    )
  }
  for allowZero in [false, true] {
    let result = Result { () throws(CLIError) in
      try TimeArgument.duration(text, option: "--ttl", allowZero: allowZero)
    }
    switch result {
    case .success(let parsed):
      check(
        parsed == span && (allowZero || parsed.microseconds > 0),
        "--ttl '\(text)' gives \(parsed), TimeSpan \(String(describing: span))")
    case .failure(let error):
      check(
        span == nil || (!allowZero && span!.microseconds == 0), "--ttl '\(text)' refused: \(error)")
      check(
        error.status == .usage && error.message.contains("--ttl"), "--ttl '\(text)': error \(error)"
      )
    }
  }
}

private func checkTimeArgument(_ text: String, now: Timestamp) {
  let result = Result { () throws(CLIError) in
    try TimeArgument.time(text, now: now, option: "--as-of")
  }
  let expected: Timestamp?
  if text == "now" {
    expected = now
  } else if let sign = text.first, sign == "-" || sign == "+" {
    expected = TimeSpan(parsing: String(text.dropFirst())).flatMap { span in
      let (micros, overflow) =
        sign == "-"
        ? now.microseconds.subtractingReportingOverflow(span.microseconds)
        : now.microseconds.addingReportingOverflow(span.microseconds)
      return overflow ? nil : Timestamp(microseconds: micros)
    }
  } else {
    expected = Timestamp(iso8601: text)
  }
  switch result {
  case .success(let t):
    check(
      t == expected && t.isValid,
      "--as-of '\(text)' at \(now) gives \(t.microseconds)µs, expected \(String(describing: expected))"
    )
    let again = try? TimeArgument.time(t.iso8601, now: now, option: "--as-of")
    check(
      again == t, "--as-of '\(text)' gives \(t), which parses back as \(String(describing: again))")
  case .failure(let error):
    check(expected.map { !$0.isValid } ?? true, "--as-of '\(text)' at \(now) refused: \(error)")
    check(
      error.status == .usage && error.message.contains("--as-of"),
      "--as-of '\(text)': error \(error)")
  }
}
