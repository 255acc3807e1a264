import FeatureDB
import Foundation
import Synchronization

extension Scenarios {
  // MARK: - lineage_upstream, lineage_downstream

  /// An upstream tree of 156 versions (each with 5 parents, 3 levels) and a version with 100
  /// derived versions.
  func lineageQueries() {
    let dir = temporaryDirectory("lineage")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    try! store.define(FeatureDefinition("lin.f", type: .double))
    // Level 3: 125 leaves; each level above: one version per 5 below.
    var level = (0..<125).map { "l3-\($0)" }
    try! store.write { b in for e in level { b.put("lin.f", e, 1.0, lineage: lineage) } }
    for depth in [2, 1, 0] {
      let parents = level
      level = (0..<(parents.count / 5)).map { "l\(depth)-\($0)" }
      try! store.write { b in
        for (i, e) in level.enumerated() {
          let inputs = parents[(i * 5)..<(i * 5 + 5)].map { LineageInput.version("lin.f", $0, 1) }
          b.put(
            "lin.f", e, 2.0,
            lineage: Lineage(producer: "bench.derive@1", run: "bench-derive", inputs: inputs))
        }
      }
    }
    // The tree is built and dropped in the timed call; its nodes are counted once, outside.
    let up = try! Samples.measure(2_000) { _ in
      _ = try store.upstream("lin.f", "l0-0", depth: 3)
    }
    let nodes = try! store.upstream("lin.f", "l0-0", depth: 3).all.count
    report("lineage_upstream", up, extra: ["nodes": nodes])
    try! store.put("lin.f", "parent", 1.0, lineage: lineage)
    try! store.write { b in
      for i in 0..<100 {
        b.put(
          "lin.f", "child-\(i)", 2.0,
          lineage: Lineage(producer: "bench.derive@1", inputs: [.version("lin.f", "parent", 1)]))
      }
    }
    let down = try! Samples.measure(2_000) { _ in _ = try store.downstream("lin.f", "parent") }
    let derived = try! store.downstream("lin.f", "parent").all.count
    report("lineage_downstream", down, extra: ["nodes": derived])
  }

  // MARK: - write_lineage

  /// Versions with 3 version inputs each against the same batches without inputs (same run and
  /// producer): the cost of the reverse index, the run index and the graph edges.
  func writeLineage() {
    let entities = names("user", sizes.entities / 2)
    var results: [String: Samples] = [:]
    for withInputs in [false, true] {
      let dir = temporaryDirectory("write-lineage-\(withInputs)")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let store = try! FeatureStore(
        path: dir + "/store", options: StoreOptions(durability: .noSync))
      for f in ["lin.base0", "lin.base1", "lin.base2", "lin.derived"] {
        try! store.define(FeatureDefinition(f, type: .double))
      }
      try! store.write { b in
        for e in entities { for f in 0..<3 { b.put("lin.base\(f)", e, 1.0) } }
      }
      let batches = stride(from: 0, to: entities.count, by: sizes.batch).map {
        Array(entities[$0..<min($0 + sizes.batch, entities.count)])
      }
      results["\(withInputs)"] = try! Samples.measure(batches.count, opsPerCall: sizes.batch) { i in
        try store.write { b in
          for e in batches[i] {
            let inputs: [LineageInput] =
              withInputs ? (0..<3).map { .version("lin.base\($0)", e, 1) } : []
            b.put(
              "lin.derived", e, 2.0,
              lineage: Lineage(producer: "bench.derive@1", run: "bench-run-2", inputs: inputs))
          }
        }
      }
    }
    let plain = results["false"]!
    let ours = results["true"]!
    report(
      "write_lineage", ours,
      extra: [
        "plain_ops_per_s": Int(plain.opsPerSecond),
        "ratio_vs_plain": round3(ours.opsPerSecond / plain.opsPerSecond),
      ])
  }

  // MARK: - rollback_run_1m, rollback_cascade

  /// A run that wrote `sizes.entities` × 10 versions (1,000,000 in full size) is rolled back while
  /// a reader thread reads: when the reader first sees it, the reader's throughput while it is
  /// applied and after, against before; peak resident memory.
  func rollbackRun() {
    let dir = temporaryDirectory("rollback-run")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let features = names("rb.f", sizes.features)
    let entities = names("user", sizes.entities * 10 / sizes.features)
    try! store.beginRun(Run(id: "bad-run"))
    _ = try! fill(store, features: features, entities: entities)  // run bench-run-1
    try! store.write { b in b.put(features[0], "probe", 1.0, lineage: Lineage(run: "bench-run-1")) }
    var rng = SplitMix(state: 11)
    let picks = (0..<200_000).map { _ in
      (Int(rng.next() % UInt64(entities.count)), Int(rng.next() % UInt64(features.count)))
    }
    /// Reads/s of `latest` over random pairs, in snapshots of 10,000 reads, for `seconds`.
    func readRate(seconds: Double, until stop: () -> Bool = { false }) -> Double {
      var reads = 0
      let start = nanos()
      var i = 0
      while Double(nanos() - start) < seconds * 1e9, !stop() {
        _ = try! store.read { snap in
          for _ in 0..<10_000 {
            let (e, f) = picks[i % picks.count]
            _ = try snap.latest(features[f], entities[e])
            i += 1
          }
        }
        reads += 10_000
      }
      return Double(reads) / (Double(nanos() - start) / 1e9)
    }
    let before = readRate(seconds: 2)
    let done = Mutex(false)
    let started = nanos()
    let thread = Thread {
      _ = try! store.rollback(.run("bench-run-1"), RollbackOptions(reason: "bench"))
      done.withLock { $0 = true }
    }
    thread.start()
    while try! store.latest(features[0], "probe") != nil {}
    let visible = Double(nanos() - started) / 1e9
    let during = readRate(seconds: 60) { done.withLock { $0 } }
    while !done.withLock({ $0 }) { usleep(10_000) }
    let total = Double(nanos() - started) / 1e9
    let after = readRate(seconds: 2)
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let retracted = try! store.operations().first!.versions
    report(
      "rollback_run_1m", nil,
      extra: [
        "versions": entities.count * features.count + 1, "retracted": retracted,
        "visible_s": round3(visible),
        "applied_s": round3(total), "reads_per_s_before": Int(before),
        "reads_per_s_pending": Int(during), "reads_per_s_after": Int(after),
        "pending_ratio": round3(during / before), "after_ratio": round3(after / before),
        "peak_rss_mb": usage.ru_maxrss / 1024,
      ])
  }

  /// 10,000 retracted roots, each with 5 derived versions, each of those with 5 more (310,000
  /// versions): one rollback of the roots' run with cascade.
  func rollbackCascade(quick: Bool) {
    let dir = temporaryDirectory("rollback-cascade")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let roots = quick ? 1_000 : 10_000
    let entities = names("user", roots)
    let level1 = names("cas.d1_", 5)
    let level2 = level1.flatMap { p in (0..<5).map { "\(p)_\($0)" } }
    for f in ["cas.root"] + level1 + level2 {
      try! store.define(FeatureDefinition(f, type: .double))
    }
    for chunk in stride(from: 0, to: roots, by: 1_000) {
      let part = entities[chunk..<min(chunk + 1_000, roots)]
      try! store.write { b in
        for e in part { b.put("cas.root", e, 1.0, lineage: Lineage(run: "bad-roots")) }
      }
      try! store.write { b in
        for e in part {
          for f in level1 {
            b.put(
              f, e, 2.0, lineage: Lineage(run: "derive-1", inputs: [.version("cas.root", e, 1)]))
          }
          for (i, f) in level2.enumerated() {
            b.put(
              f, e, 3.0, lineage: Lineage(run: "derive-2", inputs: [.version(level1[i / 5], e, 1)]))
          }
        }
      }
    }
    let start = nanos()
    let result = try! store.rollback(.run("bad-roots"), RollbackOptions(cascade: true))
    let seconds = Double(nanos() - start) / 1e9
    report(
      "rollback_cascade", nil,
      extra: [
        "versions": result.retracted, "cascaded": result.cascaded, "seconds": round3(seconds),
      ])
  }
}
