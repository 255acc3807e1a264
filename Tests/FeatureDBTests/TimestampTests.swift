import Testing

@testable import FeatureDB

@Suite struct TimestampTests {
  @Test func parsesAndFormatsISO8601() {
    let ts = Timestamp(iso8601: "2026-01-05T10:30:00Z")!
    #expect(ts.microseconds == 1_767_609_000_000_000)
    #expect(ts.iso8601 == "2026-01-05T10:30:00Z")
    #expect(Timestamp(iso8601: "2026-01-05T10:30:00.25Z")!.iso8601 == "2026-01-05T10:30:00.25Z")
    #expect(Timestamp(iso8601: "2026-01-05T10:30:00.000001Z")!.microseconds == ts.microseconds + 1)
    #expect(Timestamp(iso8601: "2026-01-05T12:30:00+02:00") == ts)
    #expect(Timestamp(iso8601: "2026-01-05")!.iso8601 == "2026-01-05T00:00:00Z")
    // No zone: UTC (one rule for the CLI, imports and entity rows).
    #expect(Timestamp(iso8601: "2026-01-05T10:30:00") == ts)
    #expect(Timestamp(iso8601: "2026-01-05 10:30:00.25")!.iso8601 == "2026-01-05T10:30:00.25Z")
  }

  @Test(arguments: [
    "", "2026", "2026-13-01", "2026-02-30", "2026-01-05T25:00:00Z", "2026-01-05T10:30:00+02",
    "2026-01-05T10:30:00.Z", "2026-01-05T10:30:00Zjunk", "x026-01-05",
  ])
  func rejectsMalformedTimes(_ text: String) {
    #expect(Timestamp(iso8601: text) == nil)
  }

  @Test func roundTripsAcrossTheValidRange() {
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      let ts = Timestamp(
        microseconds: Int64.random(
          in: Timestamp.min.microseconds...Timestamp.max.microseconds, using: &rng))
      #expect(Timestamp(iso8601: ts.iso8601) == ts)
    }
    #expect(Timestamp.min.iso8601 == "0001-01-01T00:00:00Z")
    #expect(Timestamp.max.iso8601 == "9999-12-31T23:59:59.999999Z")
    #expect(Timestamp(iso8601: "1969-12-31T23:59:59Z")!.microseconds == -1_000_000)
  }

  @Test func parsesTimeSpans() {
    #expect(TimeSpan(parsing: "90s") == .seconds(90))
    #expect(TimeSpan(parsing: "15m") == .minutes(15))
    #expect(TimeSpan(parsing: "24h") == .hours(24))
    #expect(TimeSpan(parsing: "7d") == .days(7))
    #expect(TimeSpan(parsing: "7d")!.description == "7d")
    #expect(TimeSpan(parsing: "90s")!.description == "90s")
    for bad in ["", "d", "-5m", "5", "5y", "1.5h", "99999999999999999d"] {
      #expect(TimeSpan(parsing: bad) == nil)
    }
  }
}
