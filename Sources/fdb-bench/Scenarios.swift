import FeatureDB
import Foundation

struct Sizes {
  var entities: Int
  var features = 10
  var batch = 10_000
  var reads: Int
  var calls: Int
  var vectorEntities: Int
  var historyEntities: Int
  static let full = Sizes(
    entities: 100_000, reads: 1_000_000, calls: 300_000, vectorEntities: 10_000,
    historyEntities: 10_000)
  static let quick = Sizes(
    entities: 10_000, reads: 100_000, calls: 50_000, vectorEntities: 1_000, historyEntities: 1_000)
}

struct Scenarios {
  let sizes: Sizes
  let lineage = Lineage(producer: "bench.extract@1.0.0", run: "bench-run-1")

  func names(_ prefix: String, _ n: Int) -> [String] { (0..<n).map { "\(prefix)\($0)" } }

  /// Writes `entities` × `features` doubles entity-major in batches; returns per-batch samples.
  func fill(
    _ store: FeatureStore, features: [String], entities: [String], versions: Int = 1,
    eventTime: (Int) -> Timestamp? = { _ in nil }
  ) throws -> Samples {
    for f in features {
      try store.define(FeatureDefinition(f, type: .double, maxVersions: max(10, versions)))
    }
    var ops: [(Int, Int, Int)] = []  // (version, entity, feature), entity-major within each round
    for v in 0..<versions {
      for e in entities.indices { for f in features.indices { ops.append((v, e, f)) } }
    }
    let batches = stride(from: 0, to: ops.count, by: sizes.batch).map {
      Array(ops[$0..<min($0 + sizes.batch, ops.count)])
    }
    return try Samples.measure(batches.count, opsPerCall: sizes.batch) { b in
      try store.write { batch in
        batch.lineage = lineage
        for (v, e, f) in batches[b] {
          batch.put(
            features[f], entities[e], Double(e * 31 + f) + Double(v) / 10, eventTime: eventTime(v))
        }
      }
    }
  }

  func rawFill(_ raw: RawLMDB, features: Int, entities: Int, versions: Int = 1) -> Samples {
    var keys: [[UInt8]] = []
    for v in 0..<versions {
      for e in 0..<entities {
        for f in 0..<features { keys.append(RawLMDB.key(entity: e, feature: f, version: v + 1)) }
      }
    }
    let batches = stride(from: 0, to: keys.count, by: sizes.batch).map {
      Array(keys[$0..<min($0 + sizes.batch, keys.count)])
    }
    return Samples.measure(batches.count, opsPerCall: sizes.batch) { b in raw.put(batch: batches[b])
    }
  }

  // MARK: - write_batch, storage, latest_snapshot, latest_call

  func writeAndRead() {
    let features = names("bench.f", sizes.features)
    let entities = names("user", sizes.entities)
    let versions = sizes.entities * sizes.features
    for durability in [Durability.durable, .noSync] {
      let dir = temporaryDirectory("write-\(durability)")
      let rawDir = temporaryDirectory("raw-\(durability)")
      defer {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: rawDir)
      }
      let store = try! FeatureStore(
        path: dir + "/store", options: StoreOptions(durability: durability))
      let raw = RawLMDB(path: rawDir, durability: durability)
      let rawSamples = rawFill(raw, features: sizes.features, entities: sizes.entities)
      let ours = try! fill(store, features: features, entities: entities)
      report(
        "write_batch", ours, baseline: rawSamples,
        extra: [
          "durability": durability.rawValue, "batch": sizes.batch, "versions": versions,
          "unit": "p50/p99 per batch",
        ])
      guard durability == .durable else { continue }
      try! store.sync()
      report(
        "storage", nil,
        extra: [
          "versions": versions,
          "bytes_per_version": round3(Double(usedBytes(dir + "/store")) / Double(versions)),
          "lmdb_bytes_per_version": round3(Double(raw.fileBytes) / Double(versions)),
        ])
      latest(store, raw, features: features, entities: entities)
    }
  }

  func latest(_ store: FeatureStore, _ raw: RawLMDB, features: [String], entities: [String]) {
    var rng = SplitMix(state: 42)
    let picks = (0..<sizes.reads).map { _ in
      (
        Int.random(in: 0..<entities.count, using: &rng),
        Int.random(in: 0..<features.count, using: &rng)
      )
    }
    var rawKeys = picks.map { RawLMDB.key(entity: $0.0, feature: $0.1, version: 1) }
    var sink = 0.0
    let ours = try! store.read { snap in
      try Samples.measure(picks.count) { i in
        sink += try snap.latest(features[picks[i].1], entities[picks[i].0])!.double!
      }
    }
    let base = raw.read { txn in
      Samples.measure(rawKeys.count) { i in sink += Double(raw.get(txn, &rawKeys[i])) }
    }
    report("latest_snapshot", ours, baseline: base)
    let n = sizes.calls
    let calls = try! Samples.measure(n) { i in
      sink += try store.latest(features[picks[i].1], entities[picks[i].0])!.double!
    }
    let rawCalls = Samples.measure(n) { i in
      sink += Double(raw.read { txn in raw.get(txn, &rawKeys[i]) })
    }
    report("latest_call", calls, baseline: rawCalls, extra: ["sink": sink.isFinite ? 0 : 1])
  }

  // MARK: - entity_vector

  func entityVector() {
    let features = names("vec.f", 20)
    let entities = names("user", sizes.vectorEntities)
    let dir = temporaryDirectory("vector")
    let rawDir = temporaryDirectory("vector-raw")
    defer {
      try? FileManager.default.removeItem(atPath: dir)
      try? FileManager.default.removeItem(atPath: rawDir)
    }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let raw = RawLMDB(path: rawDir, durability: .noSync)
    _ = try! fill(store, features: features, entities: entities)
    _ = rawFill(raw, features: 20, entities: entities.count)
    var rng = SplitMix(state: 7)
    let picks = (0..<sizes.reads / 20).map { _ in Int.random(in: 0..<entities.count, using: &rng) }
    var sink = 0
    let ours = try! Samples.measure(picks.count) { i in
      sink += try store.read { try $0.latest(features: features, entity: entities[picks[i]]) }.count
    }
    let base = Samples.measure(picks.count) { i in
      sink += raw.read { txn in
        (0..<20).reduce(0) { acc, f in
          var k = RawLMDB.key(entity: picks[i], feature: f, version: 1)
          return acc + raw.get(txn, &k)
        }
      }
    }
    report(
      "entity_vector", ours, baseline: base,
      extra: ["features": 20, "unit": "one entity's 20 features, own read transaction"])
  }

  // MARK: - as_of, history10

  func history() {
    let features = names("hist.f", sizes.features)
    let entities = names("user", sizes.historyEntities)
    let dir = temporaryDirectory("history")
    let rawDir = temporaryDirectory("history-raw")
    defer {
      try? FileManager.default.removeItem(atPath: dir)
      try? FileManager.default.removeItem(atPath: rawDir)
    }
    let base = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let raw = RawLMDB(path: rawDir, durability: .noSync)
    _ = try! fill(store, features: features, entities: entities, versions: 10) { v in
      base + .hours(Int64(v))
    }
    _ = rawFill(raw, features: features.count, entities: entities.count, versions: 10)
    var rng = SplitMix(state: 9)
    let picks = (0..<sizes.reads / 2).map { _ in
      (
        Int.random(in: 0..<entities.count, using: &rng),
        Int.random(in: 0..<features.count, using: &rng), Int64.random(in: 0..<600, using: &rng)
      )
    }
    var sink = 0
    let asOf = try! store.read { snap in
      try Samples.measure(picks.count) { i in
        let (e, f, minutes) = picks[i]
        sink +=
          try snap.asOf(features[f], entities[e], eventTime: base + .minutes(minutes)) == nil
          ? 0 : 1
      }
    }
    let rawAsOf = raw.read { txn in
      Samples.measure(picks.count) { i in
        var k = RawLMDB.key(
          entity: picks[i].0, feature: picks[i].1, version: Int(picks[i].2 / 60) + 1)
        sink += raw.scan(txn, from: &k, count: 1)
      }
    }
    report("as_of", asOf, baseline: rawAsOf, extra: ["versions_per_pair": 10])
    let n = sizes.reads / 10
    let hist = try! store.read { snap in
      try Samples.measure(n) { i in
        sink += try snap.history(features[picks[i].1], entities[picks[i].0]).count
      }
    }
    let rawHist = raw.read { txn in
      Samples.measure(n) { i in
        var k = RawLMDB.key(entity: picks[i].0, feature: picks[i].1, version: 0)
        sink += raw.scan(txn, from: &k, count: 10)
      }
    }
    report(
      "history10", hist, baseline: rawHist,
      extra: ["versions_per_pair": 10, "sink": sink > 0 ? 1 : 0])
  }
}
