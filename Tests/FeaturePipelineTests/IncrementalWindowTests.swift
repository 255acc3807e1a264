import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// The incremental window aggregates give exactly what scanning the window gives: two runs of
/// the pipeline over long random streams, one with the built-in extractors and one with
/// ``Reference``'s, write the same versions (values, times, lineage) and the same states.
@Suite struct IncrementalWindowTests {
  /// A random stream of `count` events of three users over months: gaps from none (ties) to
  /// days, so every window fills and empties; events up to lateness + 2 minutes older than the
  /// clock (late, exactly at the bound, too late); the same event replayed; missing and
  /// unlisted attributes; amounts and bytes with decimals and extreme magnitudes.
  static func stream(seed: UInt64, count: Int) -> [BehaviorEvent] {
    var rng = SplitMix64(seed: seed)
    func pick(_ n: UInt64) -> UInt64 { rng.next() % n }
    func chance(_ percent: UInt64) -> Bool { pick(100) < percent }
    let second: Int64 = 1_000_000
    let lateness = 300 * second
    var clock = monday.microseconds
    var events: [BehaviorEvent] = []
    let types = [
      "login", "logout", "page_view", "api_call", "file_access", "data_transfer",
      "admin_action", "purchase", "click", "something_else",
    ]
    while events.count < count {
      if !events.isEmpty, chance(3) {
        events.append(events[Int(pick(UInt64(events.count)))])  // replayed
        continue
      }
      switch pick(1000) {
      case ..<500: clock += Int64(pick(120)) * second + Int64(pick(1_000_000))
      case ..<750: clock += Int64(pick(1_800)) * second
      case ..<850: break  // a tie
      case ..<970: clock += Int64(pick(6 * 3_600)) * second
      case ..<995: clock += Int64(pick(2 * 86_400)) * second
      default: clock += 9 * 86_400 * second
      }
      var time = clock
      if chance(8) {
        time -= chance(20) ? lateness : Int64(pick(UInt64(lateness + 120 * second)))
      }
      let type = types[Int(pick(UInt64(types.count)))]
      var data: [String: EventValue] = [:]
      if !chance(20) { data["resource"] = .string("r\(pick(12))") }
      switch pick(4) {
      case 0: data["result"] = "success"
      case 1: data["result"] = "failure"
      case 2: data["result"] = "pending"
      default: break
      }
      if type == "purchase" {
        switch pick(10) {
        case 0: data["amount"] = .number(1e300 * Double(pick(9) + 1))
        case 1: data["amount"] = .number(1e-300)
        case 2: data["amount"] = .number(-Double(pick(10_000)) / 100)
        default: data["amount"] = .number(Double(pick(100_000)) / 100)
        }
      }
      if type == "data_transfer" || chance(5) {
        data["bytes"] = .number(chance(50) ? Double(pick(5_000_000)) : Double(pick(1_000)) / 10)
      }
      if chance(10) { data["value"] = .number(Double(pick(1_000)) / 8) }
      if !chance(30) { data["user_agent"] = .string("agent\(pick(3))") }
      events.append(
        BehaviorEvent(
          eventID: "e\(events.count)", userID: "u\(pick(3))",
          sessionID: chance(15) ? nil : "s\(pick(6))", timestamp: Timestamp(microseconds: time),
          eventType: type, data: data,
          deviceInfo: chance(20) ? [:] : ["device_id": .string("d\(pick(4))")],
          locationInfo: chance(20) ? [:] : ["country": .string("c\(pick(3))")]))
    }
    return events
  }

  /// Every version and state of `users` after a per-event run of `extractors` over `events`.
  static func run(
    _ extractors: [any FeatureExtractor], _ events: [BehaviorEvent], capacity: Int, cache: Int
  ) throws -> [String] {
    let (db, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: db, extractors: extractors,
      options: PipelineOptions(
        runID: "r", batchSize: 16, now: monday + .days(1_000), coalesce: .perEvent,
        maxEventsPerUser: capacity, maxVersions: 0, stateCacheBytes: cache))
    let report = try runner.run(events: events, input: "random")
    #expect(report.lateEvents > 0 && report.tooLateEvents > 0)
    return try dump(
      db, features: runner.featureNames, users: ["u0", "u1", "u2"], namespace: runner.namespace)
  }

  @Test(arguments: [(4_096, Int.max), (40, 1)])
  func incrementalWindowsWriteWhatScanningWrites(capacity: Int, cache: Int) throws {
    let seed = UInt64(0x1_2222_0000) &+ UInt64(capacity)
    print("IncrementalWindowTests seed \(seed) capacity \(capacity) cache \(cache)")
    let events = Self.stream(seed: seed, count: 1_500)
    let incremental = try Self.run(BuiltinExtractors.all, events, capacity: capacity, cache: cache)
    let scanned = try Self.run(Reference.all, events, capacity: capacity, cache: cache)
    #expect(incremental.count == scanned.count)
    if let i = (0..<min(incremental.count, scanned.count)).first(where: {
      incremental[$0] != scanned[$0]
    }) {
      Issue.record("first difference:\n\(incremental[i])\n\(scanned[i])")
    }
  }

  /// A window sum that overflowed is exact again once the values that overflowed it leave.
  @Test func anOverflowedSumRecoversWhenItsValuesLeave() {
    let t = monday + .days(1)
    let events = [
      event(t, "purchase", ["amount": 1.5e308]),
      event(t + .minutes(1), "purchase", ["amount": 1.5e308]),
      event(t + .minutes(2), "purchase", ["amount": 0.1]),
      event(t + .minutes(61), "purchase", ["amount": 0.2]),
    ]
    let overflowed = evaluate(WindowedExtractor(), Array(events[..<3]))
    #expect(overflowed["purchase_amount_1h"] == .double(.infinity))
    let later = evaluate(WindowedExtractor(), events)
    #expect(later["purchase_amount_1h"] == .double(0.30000000000000004))
    #expect(later["purchase_amount_24h"] == .double(.infinity))
  }

  /// Members counted in and out of a ``CountingSet`` in random order match a dictionary of
  /// counts, through growth and backward-shift deletions.
  @Test func countingSetMatchesADictionary() {
    let seed: UInt64 = 0xC0_0275
    print("countingSetMatchesADictionary seed \(seed)")
    var rng = SplitMix64(seed: seed)
    var set = CountingSet()
    var counts: [UInt64: Int] = [:]
    for _ in 0..<20_000 {
      // Few distinct keys whose low bits collide often: long probe runs.
      let h = (rng.next() % 97 + 1) << (rng.next() % 2 == 0 ? 0 : 8)
      if rng.next() % 3 != 0 || counts[h] == nil {
        set.insert(h)
        counts[h, default: 0] += 1
      } else {
        set.remove(h)
        counts[h]! -= 1
        if counts[h] == 0 { counts[h] = nil }
      }
      #expect(set.count == counts.count)
    }
    #expect(set.sortedCounts().map(\.hash) == counts.keys.sorted())
    #expect(set.sortedCounts().map(\.count) == counts.keys.sorted().map { counts[$0]! })
  }
}
