import Foundation

/// A UTC instant with microsecond precision: microseconds since 1970-01-01T00:00:00Z.
///
/// Valid instants lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z; the engine
/// rejects others with ``FeatureDBError/timeOutOfRange(_:_:)``.
public struct Timestamp: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
  /// Microseconds since the Unix epoch (negative before 1970).
  public var microseconds: Int64

  /// The instant `microseconds` after the Unix epoch.
  public init(microseconds: Int64) { self.microseconds = microseconds }

  /// The instant `seconds` (fractions allowed) after the Unix epoch, rounded to the microsecond.
  public init(secondsSince1970 seconds: Double) {
    microseconds = Int64((seconds * 1_000_000).rounded())
  }

  /// The instant of `date`, rounded to the microsecond.
  public init(_ date: Date) { self.init(secondsSince1970: date.timeIntervalSince1970) }

  /// The current time.
  public static var now: Timestamp {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
  }

  /// Earliest valid instant, 0001-01-01T00:00:00Z.
  public static let min = Timestamp(microseconds: -62_135_596_800_000_000)
  /// Latest valid instant, 9999-12-31T23:59:59.999999Z.
  public static let max = Timestamp(microseconds: 253_402_300_799_999_999)

  /// Whether the instant lies between ``min`` and ``max``.
  public var isValid: Bool { self >= .min && self <= .max }

  /// The instant as a Foundation `Date`.
  public var date: Date { Date(timeIntervalSince1970: Double(microseconds) / 1_000_000) }

  /// Orders instants in time.
  public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

  /// The instant `d` later (wrapping on overflow; check ``isValid``).
  public static func + (t: Timestamp, d: TimeSpan) -> Timestamp {
    Timestamp(microseconds: t.microseconds &+ d.microseconds)
  }
  /// The instant `d` earlier (wrapping on overflow; check ``isValid``).
  public static func - (t: Timestamp, d: TimeSpan) -> Timestamp {
    Timestamp(microseconds: t.microseconds &- d.microseconds)
  }

  /// ISO-8601 in UTC: `2026-01-05T10:30:00Z`, with `.ffffff` only when the microseconds are not 0.
  public var description: String { iso8601 }

  /// The UTC calendar date (proleptic Gregorian) and the microseconds since its midnight, for
  /// code that formats times itself.
  public var utcDate: (year: Int64, month: Int64, day: Int64, microsecondOfDay: Int64) {
    let (days, micros) = microseconds.floorDivided(by: 86_400_000_000)
    let (y, m, d) = civilFromDays(days)
    return (y, m, d, micros)
  }

  /// ISO-8601 in UTC: `2026-01-05T10:30:00Z`, with fractional seconds (trailing zeros dropped)
  /// only when the microseconds are not 0.
  public var iso8601: String {
    let (y, m, d, micros) = utcDate
    let secs = micros / 1_000_000
    let frac = micros % 1_000_000
    var s = "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(secs / 3600, 2)):"
    s += "\(pad(secs / 60 % 60, 2)):\(pad(secs % 60, 2))"
    if frac != 0 {
      var f = pad(frac, 6)
      while f.hasSuffix("0") { f.removeLast() }
      s += "." + f
    }
    return s + "Z"
  }

  /// Parses ISO-8601: `YYYY-MM-DDTHH:MM[:SS[.f…]]` followed by `Z`, `±HH:MM` or nothing (a time
  /// without a zone is UTC, as pandas writes naive timestamps), or a bare date `YYYY-MM-DD`
  /// (midnight UTC). Returns nil for anything else. The command line, CSV imports and the entity
  /// rows of exports all read times with this one rule.
  public init?(iso8601 text: String) {
    // The bytes in place, read by position (a `Substring.UTF8View` taken apart with
    // `removeFirst` cost about 10,000 instructions a timestamp, a pipeline event's largest part).
    let p = text.utf8.span
    var at = 0
    func number(_ digits: Int) -> Int64? {
      guard p.count - at >= digits else { return nil }
      var v: Int64 = 0
      for _ in 0..<digits {
        let c = p[at]
        at += 1
        guard c >= 48, c <= 57 else { return nil }
        v = v * 10 + Int64(c - 48)
      }
      return v
    }
    func expect(_ c: UInt8) -> Bool {
      guard at < p.count, p[at] == c else { return false }
      at += 1
      return true
    }
    var first: UInt8? { at < p.count ? p[at] : nil }
    var atEnd: Bool { at == p.count }
    guard let y = number(4), expect(UInt8(ascii: "-")), let mo = number(2),
      expect(UInt8(ascii: "-")), let d = number(2), (1...12).contains(mo), d >= 1,
      d <= daysInMonth(y, mo)
    else { return nil }
    var micros: Int64 = 0
    if !atEnd {
      guard expect(UInt8(ascii: "T")) || expect(UInt8(ascii: " ")), let h = number(2),
        expect(UInt8(ascii: ":")), let mi = number(2), h < 24, mi < 60
      else { return nil }
      micros = (h * 3600 + mi * 60) * 1_000_000
      if expect(UInt8(ascii: ":")) {
        guard let s = number(2), s < 60 else { return nil }
        micros += s * 1_000_000
        if expect(UInt8(ascii: ".")) {
          var scale: Int64 = 100_000
          var digits = 0
          while let c = first, c >= 48, c <= 57 {
            at += 1
            micros += Int64(c - 48) * scale
            scale /= 10
            digits += 1
          }
          guard digits > 0 else { return nil }
        }
      }
      if atEnd {  // no zone: UTC, as pandas writes naive timestamps
      } else if expect(UInt8(ascii: "Z")) {
      } else if let sign = first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
        at += 1
        guard let oh = number(2), expect(UInt8(ascii: ":")), let om = number(2), oh < 24, om < 60
        else { return nil }
        let offset = (oh * 3600 + om * 60) * 1_000_000
        micros -= sign == UInt8(ascii: "+") ? offset : -offset
      } else {
        return nil
      }
      guard atEnd else { return nil }
    }
    self.microseconds = daysFromCivil(y, mo, d) * 86_400_000_000 + micros
  }
}

extension Int64 {
  /// Floor division and the non-negative remainder.
  fileprivate func floorDivided(by d: Int64) -> (Int64, Int64) {
    let q = self / d
    let r = self % d
    return r < 0 ? (q - 1, r + d) : (q, r)
  }
}

private func pad(_ v: Int64, _ width: Int) -> String {
  let s = String(v)
  return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

private func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

private func daysInMonth(_ y: Int64, _ m: Int64) -> Int64 {
  [31, isLeap(y) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Int(m - 1)]
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
private func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
  let y = m <= 2 ? y0 - 1 : y0
  let era = (y >= 0 ? y : y - 399) / 400
  let yoe = y - era * 400
  let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
  return era * 146_097 + doe - 719_468
}

private func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
  let z = z0 + 719_468
  let era = (z >= 0 ? z : z - 146_096) / 146_097
  let doe = z - era * 146_097
  let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
  let mp = (5 * doy + 2) / 153
  let d = doy - (153 * mp + 2) / 5 + 1
  let m = mp < 10 ? mp + 3 : mp - 9
  return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
}
