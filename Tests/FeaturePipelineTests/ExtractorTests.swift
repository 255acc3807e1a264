import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// Each built-in feature on hand-computed cases (docs/pipeline.md has the formulas).
@Suite struct ExtractorTests {
  let temporal = TemporalExtractor()
  let windowed = WindowedExtractor()
  let behavioral = BehavioralExtractor()

  @Test func calendarFieldsAreUTCWithMondayZero() {
    let cases: [(String, Int64, Int64, Bool, Bool)] = [
      // time, hour, day_of_week, weekend, business hours
      ("2026-01-05T00:00:00Z", 0, 0, false, false),  // Monday midnight
      ("2026-01-07T09:00:00Z", 9, 2, false, true),  // Wednesday 09:00: business hours begin
      ("2026-01-07T16:59:59.999999Z", 16, 2, false, true),
      ("2026-01-07T17:00:00Z", 17, 2, false, false),  // 17:00 is outside
      ("2026-01-10T14:30:00Z", 14, 5, true, false),  // Saturday
      ("2026-01-11T23:59:59Z", 23, 6, true, false),  // Sunday
      ("2026-01-07T10:00:00+02:00", 8, 2, false, false),  // offsets are converted to UTC
      ("1969-12-31T23:00:00Z", 23, 2, false, false),  // before the epoch: a Wednesday
    ]
    for (time, hour, dow, weekend, business) in cases {
      let v = evaluate(temporal, [event(ts(time))])
      #expect(v["hour_of_day"] == .int(hour), "\(time)")
      #expect(v["day_of_week"] == .int(dow), "\(time)")
      #expect(v["is_weekend"] == .bool(weekend), "\(time)")
      #expect(v["is_business_hours"] == .bool(business), "\(time)")
    }
  }

  @Test func aUsersFirstEvent() {
    let t = monday + .hours(10)
    let v = evaluate(temporal, [event(t, "login", session: "s1")])
    #expect(v["session_duration"] == .double(0))
    #expect(v["login_frequency_1h"] == .int(1))
    #expect(v["activity_burst_score"] == .double(288))
    #expect(v["time_pattern_anomaly"] == .double(0))
    let w = evaluate(windowed, [event(t, "login", session: "s1")])
    #expect(w["activity_count_1h"] == .int(1) && w["activity_count_7d"] == .int(1))
    #expect(w["distinct_resources_24h"] == .int(0))
    #expect(w["is_active_session"] == .bool(false))
    #expect(w["engagement_score"] == .double(100 * (1 - exp(-1.0 / 25))))
    let b = evaluate(behavioral, [event(t, "login")])
    #expect(b["behavioral_consistency_score"] == .double(1))
    #expect(b["failure_rate"] == .double(0))
  }

  /// (t − w, t]: an event exactly w before t is out, one a microsecond later is in.
  @Test func windowBoundaries() {
    let t = monday + .days(3)
    let events = [
      event(t - .days(7), "purchase", ["amount": 1000]),  // in no window
      event(t - .days(7) + TimeSpan(microseconds: 1), "purchase", ["amount": 100]),  // 7d
      event(t - .hours(24), "purchase", ["amount": 10.5, "resource": "a"]),  // 7d only
      event(t - .hours(23), "purchase", ["amount": 20, "resource": "a"]),  // 24h, 7d
      event(t - .hours(6), "login", ["resource": "b"]),  // 24h, 7d
      event(t - .hours(1), "click", ["resource": "c"]),  // 6h, 24h, 7d
      event(t - .hours(1) + TimeSpan(microseconds: 1), "login"),  // 1h …
      event(t, "purchase", ["amount": 5.25, "resource": "c"]),
    ]
    let v = evaluate(windowed, events)
    #expect(v["activity_count_1h"] == .int(2))
    #expect(v["activity_count_6h"] == .int(3))
    #expect(v["activity_count_24h"] == .int(5))
    #expect(v["activity_count_7d"] == .int(7))
    #expect(v["purchase_amount_1h"] == .double(5.25))
    #expect(v["purchase_amount_24h"] == .double(25.25))
    #expect(v["purchase_amount_7d"] == .double(135.75))
    #expect(v["distinct_resources_1h"] == .int(1))  // c
    #expect(v["distinct_resources_6h"] == .int(1))  // c (b is exactly 6 h before: out)
    #expect(v["distinct_resources_24h"] == .int(3))  // a b c
    #expect(v["distinct_resources_7d"] == .int(3))
    // E = 5 events + 2 × 3 resources + 5 × 2 purchases in 24 h = 21.
    #expect(v["engagement_score"] == .double(100 * (1 - exp(-21.0 / 25))))
    // login_frequency_1h after a non-login event still counts the logins of the hour before.
    let tv = evaluate(temporal, events)
    #expect(tv["login_frequency_1h"] == .int(1))
  }

  @Test func sessionsBurstsAndUnusualHours() {
    let t = monday + .days(2) + .hours(10)
    var events = [
      event(t - .days(1) - .hours(1), session: "old"),  // 09:00
      event(t - .days(1) + .hours(5), session: "old"),  // 15:00
      event(t - .hours(10), session: "old"),  // 00:00, 10 h before
      event(t - .minutes(10), "login", session: "s1"),  // 09:50
      event(t - .minutes(3), session: "s1"),  // 09:57
    ]
    events.append(event(t, session: "s1"))
    let v = evaluate(temporal, events)
    #expect(v["session_duration"] == .double(10))
    // 5 min: 2 events; 24 h: 5 (all but Tuesday 09:00, 25 h before).
    #expect(v["activity_burst_score"] == .double(288.0 * 2 / 5))
    // Other events of 7 days: 09:00, 15:00, 00:00, 09:50, 09:57; within an hour of 10: 3.
    #expect(v["time_pattern_anomaly"] == .double(1 - 3.0 / 5))
    let w = evaluate(windowed, events)
    #expect(w["is_active_session"] == .bool(true))
    let logout = evaluate(windowed, events + [event(t + .minutes(1), "logout", session: "s1")])
    #expect(logout["is_active_session"] == .bool(false))
    let alone = evaluate(windowed, [event(t - .minutes(30)), event(t)])
    #expect(alone["is_active_session"] == .bool(false))  // 30 min before is outside (t − 30m, t]
    let noSession = evaluate(temporal, [event(t - .minutes(5)), event(t)])
    #expect(noSession["session_duration"] == .double(0))
  }

  @Test func behaviouralRatesAndMix() {
    let t = monday + .days(3)
    let events = [
      event(t - .days(2), "file_access", ["resource": "f1", "result": "success"]),
      event(t - .days(2), "file_access", ["resource": "f2", "result": "success"]),
      event(t - .hours(30), "admin_action", ["resource": "admin/1"]),
      event(t - .hours(20), "api_call", ["resource": "/a", "result": "failure"]),
      event(t - .hours(10), "api_call", ["resource": "/a", "result": "success"]),
      event(t - .hours(5), "api_call", ["resource": "/b", "result": "success"]),
      event(t - .hours(2), "data_transfer", ["bytes": 1_500_000]),
      event(t - .hours(1), "admin_action"),
      event(t, "data_transfer", ["bytes": 250_000, "result": "failure"]),
    ]
    let v = evaluate(behavioral, events)
    #expect(v["resource_access_rate"] == .double(3.0 / 24))  // /a /a /b in 24 h
    #expect(v["unique_resources_count"] == .int(5))  // f1 f2 admin/1 /a /b
    #expect(v["api_call_diversity"] == .double(2.0 / 3))
    #expect(v["data_transfer_volume"] == .double(1.75))
    #expect(v["failure_rate"] == .double(2.0 / 4))
    #expect(v["admin_action_count"] == .int(1))
    // 24 h mix: api 3/6, transfer 2/6, admin 1/6; 7 d: file 2/9, admin 2/9, api 3/9, transfer 2/9.
    let distance =
      abs(3.0 / 6 - 3.0 / 9) + abs(2.0 / 6 - 2.0 / 9) + abs(1.0 / 6 - 2.0 / 9) + abs(0 - 2.0 / 9)
    #expect(v["behavioral_consistency_score"] == .double(1 - distance / 2))
  }

  /// Exact up to k distinct values, then within a few standard errors (1/√(k−2) ≈ 12.7 %).
  @Test func distinctSketchBound() throws {
    var sketch = DistinctSketch()
    for i in 0..<64 { sketch.insert(stableHash("r\(i)")) }
    for i in 0..<64 { sketch.insert(stableHash("r\(i)")) }
    #expect(sketch.estimate == 64)
    for i in 64..<10_000 { sketch.insert(stableHash("r\(i)")) }
    let error = abs(Double(sketch.estimate) - 10_000) / 10_000
    #expect(error < 3 / (62.0).squareRoot(), "estimate \(sketch.estimate)")
    var w = StateWriter()
    sketch.encode(into: &w)
    var r = StateReader(w.bytes)
    #expect(try DistinctSketch(from: &r) == sketch)
  }

  @Test func windowStateRoundTrips() throws {
    var window = EventWindow()
    for (i, e) in [
      event(monday, "login", session: "s", ["resource": "x", "result": "success"]),
      event(monday + .seconds(5), "purchase", session: "s", ["amount": 12.5]),
      event(
        monday + .seconds(2), "data_transfer", session: "t", ["bytes": 7, "result": "failure"]),
      event(monday - .days(400), "other"),
    ].enumerated() {
      window.insert(EventRecord(e), capacity: 3)
      #expect(window.count == min(i + 1, 3))
    }
    #expect(window.records.map(\.time) == window.records.map(\.time).sorted())
    #expect(window.dropped == 1)
    var w = StateWriter()
    window.encode(into: &w)
    var r = StateReader(w.bytes)
    #expect(try EventWindow(from: &r) == window)
    #expect(r.isAtEnd)
  }
}

extension ExtractorTests {
  func seen(
    _ t: Timestamp, device: String?, city: String?, agent: String?, _ type: String = "page_view"
  ) -> BehaviorEvent {
    var e = event(t, type, agent.map { ["user_agent": .string($0)] } ?? [:])
    e.deviceInfo = device.map { ["device_id": .string($0), "type": "phone"] }
    e.locationInfo = city.map { ["country": "DE", "city": .string($0)] }
    return e
  }

  @Test func devicesLocationsAndAgents() {
    let categorical = CategoricalExtractor()
    let t = monday + .days(4)
    let events = [
      seen(t - .days(3), device: "d0", city: "Munich", agent: "a"),  // 7 d only
      seen(t - .hours(20), device: "d1", city: "Berlin", agent: "a"),
      seen(t - .hours(10), device: "d1", city: "Berlin", agent: "b"),
      seen(t - .hours(5), device: nil, city: "Paris", agent: nil),
      seen(t - .hours(2), device: "d2", city: "Berlin", agent: "b"),
      seen(t, device: "d1", city: "Berlin", agent: "a"),
    ]
    let v = evaluate(categorical, events)
    // Devices in 24 h: d1 d1 d2 d1 → pairs 3, changes 2.
    #expect(v["device_change_score"] == .double(2.0 / 3))
    // Locations: Berlin Berlin Paris Berlin Berlin → pairs 4, changes 2.
    #expect(v["location_change_score"] == .double(2.0 / 4))
    // Agents: a b b a → pairs 3, changes 2.
    #expect(v["user_agent_change_score"] == .double(2.0 / 3))
    #expect(v["is_new_device"] == .bool(false) && v["is_new_location"] == .bool(false))
    // 7 d: devices d0 d1 d1 d2 d1 → 3 distinct of 5.
    #expect(v["device_diversity_score"] == .double(3.0 / 5))
    // Locations of 7 d: Munich 1, Berlin 4, Paris 1 of 6.
    let p = [1.0 / 6, 4.0 / 6, 1.0 / 6]
    #expect(v["location_entropy"] == .double(-p.sorted().reduce(0) { $0 + $1 * log2($1) }))
    let first = evaluate(categorical, [seen(t, device: "d9", city: "Oslo", agent: "z")])
    #expect(first["is_new_device"] == .bool(true) && first["is_new_location"] == .bool(true))
    #expect(first["device_change_score"] == .double(0) && first["location_entropy"] == .double(0))
    let none = evaluate(categorical, [seen(t, device: nil, city: nil, agent: nil)])
    #expect(none["is_new_device"] == .bool(false) && none["device_diversity_score"] == .double(0))
  }

  @Test func recordsKeepDevicesLocationsAndAgentsThroughPersistence() throws {
    var window = EventWindow()
    for (i, e) in [
      seen(monday, device: "d1", city: "Berlin", agent: "a"),
      seen(monday + .seconds(1), device: "d1", city: nil, agent: "b"),
      seen(monday + .seconds(2), device: nil, city: "Paris", agent: "b"),
      seen(monday + .seconds(3), device: "d1", city: "Paris", agent: nil),
    ].enumerated() {
      window.insert(EventRecord(e), capacity: 10)
      #expect(window.records[i].device == (e.device.map(stableHash) ?? 0))
    }
    var w = StateWriter()
    window.encode(into: &w)
    var r = StateReader(w.bytes)
    #expect(try EventWindow(from: &r) == window)
  }
}

extension ExtractorTests {
  @Test func statisticsOfTheValues() throws {
    let statistical = StatisticalExtractor()
    let t = monday + .days(40)
    let events = [
      event(t - .days(20), "purchase", ["amount": 10]),  // 30 d only
      event(t - .days(3), "api_call", ["value": 4]),  // data.value wins over amount
      event(t - .days(2), "purchase", ["amount": 6, "value": 2]),
      event(t - .days(1) - .hours(1), "click"),  // no value: ignored
      event(t - .hours(12), "purchase", ["amount": 8]),
      event(t, "purchase", ["amount": 10]),
    ]
    let v = evaluate(statistical, events)
    // Kept values in time order: 10, 4, 2, 8, 10; newest x = 10.
    let xs = [10.0, 4, 2, 8, 10]
    let mean = 34.0 / 5
    let std = (xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 5).squareRoot()
    #expect(v["value_mean"] == .double(mean))
    #expect(v["value_std"] == .double(std))
    #expect(v["value_min"] == .double(2) && v["value_max"] == .double(10))
    // Sorted 2 4 8 10 10: q25 at h = 1 → 4, median h = 2 → 8, q75 h = 3 → 10.
    #expect(v["value_median"] == .double(8))
    #expect(v["value_q25"] == .double(4) && v["value_q75"] == .double(10))
    #expect(v["value_iqr"] == .double(6))
    // 7 days: (−3 d, 4), (−2 d, 2), (−0.5 d, 8), (0, 10): slope per day.
    /// Least-squares slope of `y` against `x`.
    func slope(_ x: [Double], _ y: [Double]) -> Double {
      let mx = x.reduce(0, +) / Double(x.count)
      let my = y.reduce(0, +) / Double(y.count)
      let cov = zip(x, y).map { ($0 - mx) * ($1 - my) }.reduce(0, +)
      return cov / x.map { ($0 - mx) * ($0 - mx) }.reduce(0, +)
    }
    let ys = [4.0, 2, 8, 10]
    let trend = try #require(v["trend_7d"]?.double)
    #expect(abs(trend - slope([-3.0, -2, -0.5, 0], ys)) < 1e-12)
    let trend30 = try #require(v["trend_30d"]?.double)
    #expect(abs(trend30 - slope([-20.0, -3, -2, -0.5, 0], xs)) < 1e-12)
    #expect(v["momentum"] == .double(9 - 6))  // 24 h: 8, 10; 7 d: 4 2 8 10
    let weekStd = (ys.map { ($0 - 6) * ($0 - 6) }.reduce(0, +) / 4).squareRoot()
    #expect(v["volatility"] == .double(weekStd / 6))
    #expect(v["z_score"] == .double((10 - mean) / std))
    #expect(v["percentile_rank"] == .double(1))
    #expect(v["ratio_to_mean"] == .double(10 / mean))
    #expect(v["recency_days"] == .double(0))
    #expect(v["frequency"] == .double(5.0 / 30))
    // As of 6 hours later, from a click: same statistics, recency a quarter day.
    let later = evaluate(statistical, events + [event(t + .hours(6), "click")])
    #expect(later["recency_days"] == .double(0.25) && later["value_mean"] == .double(mean))
    let none = evaluate(statistical, [event(t, "click")])
    #expect(none["value_mean"] == .double(0) && none["z_score"] == .double(0))
  }
}

/// Edge cases of the formulas in docs/pipeline.md (issue 19, item 6).
@Suite struct FormulaEdgeTests {
  /// A constant series has no spread: std 0 and z_score 0, not ±1 from rounding; a spread of
  /// one ulp is rounding, not spread.
  @Test func aConstantSeriesHasZeroSpread() {
    let statistical = StatisticalExtractor()
    for values in [Array(repeating: 0.1, count: 10), [0.1, 0.1.nextUp, 0.1, 0.1, 0.1.nextUp]] {
      for n in 1...values.count {
        let events = values[..<n].enumerated().map { i, x in
          event(monday + .minutes(Int64(i)), "api_call", ["value": .number(x)])
        }
        let v = evaluate(statistical, events)
        #expect(v["value_std"] == .double(0), "\(values[..<n])")
        #expect(v["z_score"] == .double(0), "\(values[..<n])")
        #expect(v["volatility"] == .double(0), "\(values[..<n])")
        if values[0] == values[1] { #expect(v["value_mean"] == .double(0.1)) }
      }
    }
  }

  /// `failure_rate` counts failures over the events whose `data.result` is `success` or
  /// `failure` (another result counts in neither).
  @Test func failureRateIgnoresOtherResults() {
    let t = monday + .hours(1)
    let v = evaluate(
      BehavioralExtractor(),
      [
        event(t - .minutes(3), "login", ["result": "failure"]),
        event(t - .minutes(2), "login", ["result": "pending"]),
        event(t, "login", ["result": "success"]),
      ])
    #expect(v["failure_rate"] == .double(0.5))
  }

  /// `behavioral_consistency_score` puts every `event_type` outside the listed ones in one
  /// kind, "other".
  @Test func unlistedEventTypesAreOneKindInTheMix() {
    let t = monday + .days(3)
    let v = evaluate(BehavioralExtractor(), [event(t - .days(2), "x"), event(t, "y")])
    #expect(v["behavioral_consistency_score"] == .double(1))
  }
}
