import FeatureDB

/// A response's `Date` header (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`),
/// formatted once per second.
struct HTTPDate {
  private var second: Int64 = .min
  private var text = ""

  private static let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
  private static let months = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  ]

  /// The header's value at `now`.
  mutating func value(at now: Timestamp) -> String {
    let second = now.microseconds / 1_000_000
    if second != self.second {
      self.second = second
      text = Self.format(now)
    }
    return text
  }

  /// `time` as IMF-fixdate (to the second).
  static func format(_ time: Timestamp) -> String {
    let (y, m, d, micros) = time.utcDate
    let days = (time.microseconds - micros) / 86_400_000_000
    // 1970-01-01 was a Thursday.
    let weekday = weekdays[Int((days % 7 + 7) % 7)]
    let seconds = micros / 1_000_000
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(weekday), \(two(d)) \(months[Int(m) - 1]) \(y) "
      + "\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)) GMT"
  }
}
