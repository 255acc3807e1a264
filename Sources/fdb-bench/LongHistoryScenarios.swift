import FeatureDB
import Foundation

extension Scenarios {
  // MARK: - long_history

  /// One (feature, entity) keeping every version (max-versions 0): a one-version write,
  /// `latest`, `asOf` at a random time and `history --limit 10` at 200 … 160,000 versions. Each
  /// should cost about the same whatever the length (bounded chain segments).
  func longHistory(quick: Bool) {
    let lengths = quick ? [200, 2_000, 20_000] : [200, 2_000, 20_000, 160_000]
    for length in lengths {
      let dir = temporaryDirectory("long-\(length)")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let store = try! FeatureStore(
        path: dir + "/store", options: StoreOptions(durability: .noSync))
      try! store.define(FeatureDefinition("long.f", type: .double, maxVersions: 0))
      let start = Timestamp(microseconds: 1_767_225_600_000_000)  // 2026-01-01
      var written = 0
      while written < length {
        let n = min(10_000, length - written)
        try! store.write { b in
          for i in written..<(written + n) {
            b.put(
              "long.f", "u1", Double(i), eventTime: start + .seconds(Int64(i)), lineage: lineage)
          }
        }
        written += n
      }
      var next = length
      let writes = try! Samples.measure(300) { _ in
        try store.put(
          "long.f", "u1", Double(next), eventTime: start + .seconds(Int64(next)), lineage: lineage)
        next += 1
      }
      var sink = 0.0
      let latest = try! Samples.measure(20_000) { _ in
        sink += try store.latest("long.f", "u1")!.double!
      }
      var rng = SplitMix(state: 7)
      let times = (0..<20_000).map { _ in start + .seconds(Int64(rng.next() % UInt64(length))) }
      let asOf = try! Samples.measure(times.count) { i in
        sink += try store.asOf("long.f", "u1", eventTime: times[i])!.double!
      }
      let history = try! Samples.measure(20_000) { _ in
        sink += Double(try store.history("long.f", "u1", limit: 10).count)
      }
      report(
        "long_history", nil,
        extra: [
          "versions": length, "write_p50_us": round3(writes.percentile(0.5)),
          "latest_p50_us": round3(latest.percentile(0.5)),
          "as_of_p50_us": round3(asOf.percentile(0.5)),
          "history10_p50_us": round3(history.percentile(0.5)), "sink": sink.isFinite ? 0 : 1,
        ])
    }
  }
}
