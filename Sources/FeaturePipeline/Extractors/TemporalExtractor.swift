import FeatureDB

private let microsPerHour: Int64 = 3_600_000_000
private let microsPerDay: Int64 = 86_400_000_000

/// UTC calendar fields of an instant.
enum UTC {
  /// Hour of day, 0–23.
  static func hour(_ t: Int64) -> Int64 {
    let r = t % microsPerDay
    return (r < 0 ? r + microsPerDay : r) / microsPerHour
  }

  /// Day of week, 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday, 3).
  static func dayOfWeek(_ t: Int64) -> Int64 {
    var days = t / microsPerDay
    if t % microsPerDay < 0 { days -= 1 }
    let r = (days + 3) % 7
    return r < 0 ? r + 7 : r
  }
}

/// Time of day and week, sessions, login frequency, bursts and unusual hours
/// (`extract.temporal`; formulas in docs/pipeline.md).
public struct TemporalExtractor: FeatureExtractor {
  /// The name, `extract.temporal`.
  public let name = "extract.temporal"
  /// The version, `1.0.0` (producer `extract.temporal@1.0.0`).
  public let version = "1.0.0"
  /// Its 8 features, in the order ``extract(_:state:into:)`` appends them.
  public let features = [
    FeatureSpec("hour_of_day", .int, "UTC hour of the event, 0-23"),
    FeatureSpec("day_of_week", .int, "UTC day of the event, 0 = Monday ... 6 = Sunday"),
    FeatureSpec("is_weekend", .bool, "Saturday or Sunday (UTC)"),
    FeatureSpec("is_business_hours", .bool, "Monday-Friday, 09:00 <= time < 17:00 UTC"),
    FeatureSpec(
      "session_duration", .double,
      "minutes since the first kept event of the current event's session (0 without session_id)"),
    FeatureSpec("login_frequency_1h", .int, "login events in (t - 1h, t]"),
    FeatureSpec(
      "activity_burst_score", .double,
      "events in (t - 5m, t] over the 24h average per 5 minutes: 288 * count_5m / count_24h"),
    FeatureSpec(
      "time_pattern_anomaly", .double,
      "share of the other events in (t - 7d, t] more than one hour of day away from t's hour"),
  ]

  /// The extractor (it has no options).
  public init() {}

  /// Appends the 8 values as of `c.time`, in UTC (formulas in docs/pipeline.md).
  public func extract(_ c: ExtractionContext, state: NoState, into values: inout [FeatureValue]) {
    let t = c.time.microseconds
    let hour = UTC.hour(t)
    let dow = UTC.dayOfWeek(t)
    values.append(.int(hour))
    values.append(.int(dow))
    values.append(.bool(dow >= 5))
    values.append(.bool(dow < 5 && hour >= 9 && hour < 17))
    // Session duration: from the first kept event of the current event's session.
    let current = c.current
    var duration = 0.0
    if current.session != 0, let first = c.window.sessions.first(current.session) {
      duration = Double(t - first) / 60_000_000
    }
    values.append(.double(duration))
    values.append(.int(Int64(c.aggregate(.hour).count(.login))))
    let count5m = c.aggregate(.fiveMinutes).count
    let count24h = c.aggregate(.day).count
    values.append(.double(count24h == 0 ? 0 : 288 * Double(count5m) / Double(count24h)))
    // Events of the last 7 days other than the current one, and those within an hour of day.
    let week = c.aggregate(.week)
    func near(_ h: Int64) -> Bool { min(abs(h - hour), 24 - abs(h - hour)) <= 1 }
    let others = week.count - 1
    let h = Int(hour)
    var usual = Int(week.hours[(h + 23) % 24] + week.hours[h] + week.hours[(h + 1) % 24])
    if near(UTC.hour(current.time)) { usual -= 1 }
    values.append(.double(others == 0 ? 0 : 1 - Double(usual) / Double(others)))
  }
}
