import FeatureDB
import Foundation

extension Scenarios {
  /// `write_batch_pruning`: rounds of new versions that each prune one (maxVersions 3), against
  /// the same rounds into an unlimited feature.
  func writePruning() {
    let entities = names("user", sizes.entities)
    var results: [Int: Samples] = [:]
    for maxVersions in [0, 3] {
      let dir = temporaryDirectory("prune-\(maxVersions)")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let store = try! FeatureStore(
        path: dir + "/store", options: StoreOptions(durability: .noSync))
      let features = names("p\(maxVersions).f", sizes.features)
      for f in features {
        try! store.define(FeatureDefinition(f, type: .double, maxVersions: maxVersions))
      }
      let base = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
      func round(_ r: Int) throws -> Samples {
        let ops = entities.indices.flatMap { e in features.indices.map { f in (e, f) } }
        let batches = stride(from: 0, to: ops.count, by: sizes.batch).map {
          Array(ops[$0..<min($0 + sizes.batch, ops.count)])
        }
        return try Samples.measure(batches.count, opsPerCall: sizes.batch) { b in
          try store.write { batch in
            batch.lineage = lineage
            batch.eventTime = base + .hours(Int64(r))
            for (e, f) in batches[b] { batch.put(features[f], entities[e], Double(r)) }
          }
        }
      }
      for r in 0..<3 { _ = try! round(r) }  // fill to maxVersions
      var timed = Samples()
      for r in 3..<5 {
        let s = try! round(r)
        timed.latencies += s.latencies
        timed.wall += s.wall
        timed.operations += s.operations
      }
      results[maxVersions] = timed
    }
    let pruning = results[3]!
    let plain = results[0]!
    report(
      "write_batch_pruning", pruning,
      extra: [
        "max_versions": 3, "unlimited_ops_per_s": Int(plain.opsPerSecond),
        "ratio_vs_unlimited": round3(pruning.opsPerSecond / plain.opsPerSecond),
        "unit": "p50/p99 per batch",
      ])
  }

  /// `vacuum`: a pass with nothing expired, then removing every expired version.
  func vacuum() {
    let dir = temporaryDirectory("vacuum")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let features = names("v.f", sizes.features)
    let entities = names("user", sizes.entities)
    for f in features { try! store.define(FeatureDefinition(f, type: .double, ttl: .hours(1))) }
    let base = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    let ops = entities.indices.flatMap { e in features.indices.map { f in (e, f) } }
    for start in stride(from: 0, to: ops.count, by: sizes.batch) {
      try! store.write { batch in
        batch.eventTime = base
        for (e, f) in ops[start..<min(start + sizes.batch, ops.count)] {
          batch.put(features[f], entities[e], 1.0)
        }
      }
    }
    let idle = Samples.measure(5) { _ in _ = try! store.vacuum(now: base) }
    var removed = 0
    let pass = Samples.measure(1, opsPerCall: ops.count) { _ in
      removed = try! store.vacuum(now: base + .hours(2)).removed
    }
    precondition(removed == ops.count, "vacuum removed \(removed) of \(ops.count)")
    report(
      "vacuum", pass,
      extra: [
        "versions": ops.count, "idle_pass_ms": round3(idle.percentile(0.5) / 1000),
        "unit": "ops = versions removed",
      ])
  }

  /// `compact`: a store of versions (10 per feature and entity) with half of them pruned, copied
  /// into a new store.
  func compact() {
    let dir = temporaryDirectory("compact")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let features = names("c.f", sizes.features)
    let entities = names("user", sizes.entities / 10)
    _ = try! fill(store, features: features, entities: entities, versions: 10) { v in
      Timestamp(microseconds: Int64(v) * 1_000_000)
    }
    let versions = entities.count * features.count * 10
    for f in features { try! store.updateRetention(f, maxVersions: 5) }
    let pruned = try! store.prune().pruned
    var result: CompactResult?
    let timing = Samples.measure(1) { _ in result = try! store.compact(to: dir + "/copy") }
    report(
      "compact", nil,
      extra: [
        "versions": versions, "pruned": pruned, "bytes_before": result!.bytesBefore,
        "bytes_after": result!.bytesAfter,
        "shrink": round3(1 - Double(result!.bytesAfter) / Double(result!.bytesBefore)),
        "seconds": round3(Double(timing.wall) / 1e9),
      ])
  }
}
