import FeatureDB
import Foundation

@testable import FeaturePipeline

/// The built-in window features computed the simple way, by scanning the user's window at every
/// evaluation (as the extractors did before they kept incremental aggregates): the reference the
/// incremental extractors are compared with. Same names, versions and features as the built-in
/// extractors, so two runs write comparable versions.
enum Reference {
  /// The records of `c`'s window in (t − w, t].
  static func records(_ c: ExtractionContext, _ w: TimeSpan) -> ArraySlice<EventRecord> {
    c.window.records[c.range(w)]
  }

  struct Temporal: FeatureExtractor {
    let name = TemporalExtractor().name
    let version = TemporalExtractor().version
    let features = TemporalExtractor().features

    func extract(_ c: ExtractionContext, state: NoState, into values: inout [FeatureValue]) {
      let t = c.time.microseconds
      let hour = UTC.hour(t)
      let dow = UTC.dayOfWeek(t)
      values.append(.int(hour))
      values.append(.int(dow))
      values.append(.bool(dow >= 5))
      values.append(.bool(dow < 5 && hour >= 9 && hour < 17))
      let session = c.current.session
      let first = c.window.records[..<c.end].first { session != 0 && $0.session == session }
      values.append(.double(first.map { Double(t - $0.time) / 60_000_000 } ?? 0))
      values.append(.int(Int64(records(c, .hours(1)).count { $0.kind == .login })))
      let count5m = records(c, .minutes(5)).count
      let count24h = records(c, .hours(24)).count
      values.append(.double(count24h == 0 ? 0 : 288 * Double(count5m) / Double(count24h)))
      let others = records(c, .days(7)).dropLast()
      let usual = others.count {
        let d = abs(UTC.hour($0.time) - hour)
        return min(d, 24 - d) <= 1
      }
      values.append(
        .double(others.isEmpty ? 0 : 1 - Double(usual) / Double(others.count)))
    }
  }

  struct Windowed: FeatureExtractor {
    let name = WindowedExtractor().name
    let version = WindowedExtractor().version
    let features = WindowedExtractor().features

    func extract(_ c: ExtractionContext, state: NoState, into values: inout [FeatureValue]) {
      let windows = standardWindows.map { records(c, $0.span) }
      for w in windows { values.append(.int(Int64(w.count))) }
      for w in windows {
        var sum = ExactSum()
        for r in w where r.kind == .purchase { sum.add(r.amount) }
        values.append(.double(sum.value))
      }
      for w in windows {
        values.append(.int(Int64(Set(w.map(\.resource).filter { $0 != 0 }).count)))
      }
      let day = windows[2]
      let distinct = Set(day.map(\.resource).filter { $0 != 0 }).count
      let e = Double(day.count + 2 * distinct + 5 * day.count { $0.kind == .purchase })
      values.append(.double(100 * (1 - exp(-e / 25))))
      values.append(.bool(c.current.kind != .logout && records(c, .minutes(30)).count >= 2))
    }
  }

  struct Behavioral: FeatureExtractor {
    let name = BehavioralExtractor().name
    let version = BehavioralExtractor().version
    let features = BehavioralExtractor().features

    func update(_ state: inout DistinctSketch, with event: BehaviorEvent, record: EventRecord) {
      BehavioralExtractor().update(&state, with: event, record: record)
    }

    func extract(_ c: ExtractionContext, state: DistinctSketch, into values: inout [FeatureValue]) {
      let day = records(c, .hours(24))
      let week = records(c, .days(7))
      let api = day.filter { $0.kind == .apiCall }
      var bytes = ExactSum()
      for r in day { bytes.add(r.bytes) }
      let results = day.count { $0.failed || $0.succeeded }
      values.append(.double(Double(day.count { $0.resource != 0 }) / 24))
      values.append(.int(state.estimate))
      values.append(
        .double(
          api.isEmpty
            ? 0 : Double(Set(api.map(\.resource).filter { $0 != 0 }).count) / Double(api.count)))
      values.append(.double(bytes.value / 1_000_000))
      values.append(
        .double(results == 0 ? 0 : Double(day.count(where: \.failed)) / Double(results)))
      values.append(.int(Int64(day.count { $0.kind == .adminAction })))
      var distance = 0.0
      for k in EventKind.allCases {
        distance += abs(
          Double(day.count { $0.kind == k }) / Double(day.count)
            - Double(week.count { $0.kind == k }) / Double(week.count))
      }
      values.append(.double(1 - distance / 2))
    }
  }

  struct Categorical: FeatureExtractor {
    let name = CategoricalExtractor().name
    let version = CategoricalExtractor().version
    let features = CategoricalExtractor().features

    func update(_ state: inout KnownValues, with event: BehaviorEvent, record: EventRecord) {
      CategoricalExtractor().update(&state, with: event, record: record)
    }

    func extract(_ c: ExtractionContext, state: KnownValues, into values: inout [FeatureValue]) {
      let day = records(c, .hours(24))
      for a in 0..<3 {
        let seen = day.map { $0.attribute(a) }.filter { $0 != 0 }
        let changes = zip(seen, seen.dropFirst()).count { $0 != $1 }
        values.append(.double(seen.count < 2 ? 0 : Double(changes) / Double(seen.count - 1)))
      }
      values.append(.bool(state.newDevice))
      values.append(.bool(state.newLocation))
      let week = records(c, .days(7))
      let devices = week.map(\.device).filter { $0 != 0 }
      values.append(
        .double(devices.isEmpty ? 0 : Double(Set(devices).count) / Double(devices.count)))
      let locations = week.map(\.location).filter { $0 != 0 }
      var entropy = 0.0
      for (_, n) in Dictionary(grouping: locations, by: { $0 }).sorted(by: { $0.key < $1.key }) {
        let p = Double(n.count) / Double(locations.count)
        entropy -= p * log2(p)
      }
      values.append(.double(entropy))
      values.append(.double(c.source.reputation))
    }
  }

  /// The reference extractors in the built-ins' order (the statistical one is the built-in:
  /// it reads no window).
  static let all: [any FeatureExtractor] = [
    Temporal(), Windowed(), Behavioral(), Categorical(), StatisticalExtractor(),
  ]
}
