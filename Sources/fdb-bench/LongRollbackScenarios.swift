import FDBCLI
import FeatureDB
import Foundation
import Synchronization

/// Rollbacks over one long chain and writes naming thousands of inputs (issue 19, item 9): each
/// is timed at two sizes a factor of 10 apart, so `growth` near 10 means linear time.
extension Scenarios {
  // MARK: - rollback_chain_1m, rollback_cascade_chain_1m, put_inputs

  /// One (feature, entity) with 1,000,000 versions (quick: 100,000), against a tenth of that:
  /// a dry run of `--to-version 1`, then the rollback, while another thread puts values into a
  /// second feature (its longest put is how long the rollback kept the writer lock).
  func rollbackChain(quick: Bool) {
    longChainRollback(
      "rollback_chain_1m", quick: quick, derived: false,
      .toVersion(feature: "rb.chain", entity: "u", version: 1), RollbackOptions())
  }

  /// One long derived chain in one (feature, entity): version 1 by run "root", every later
  /// version derived from an earlier one (the one a batch of 10,000 before), 1,000,000 versions
  /// (quick: 100,000) against a tenth of that: dry run and rollback of the root run with
  /// `--cascade`, with a concurrent writer as in `rollback_chain_1m`.
  func rollbackCascadeChain(quick: Bool) {
    longChainRollback(
      "rollback_cascade_chain_1m", quick: quick, derived: true, .run("root"),
      RollbackOptions(cascade: true))
  }

  /// Times `target` on a chain of a tenth of 1,000,000 versions (quick: 100,000) and on the whole,
  /// and reports both and their growth.
  private func longChainRollback(
    _ name: String, quick: Bool, derived: Bool, _ target: RollbackTarget,
    _ options: RollbackOptions
  ) {
    let large = quick ? 100_000 : 1_000_000
    var fields: [String: Any] = [:]
    for (label, n) in [("small", large / 10), ("large", large)] {
      let (store, dir) = chainStore(
        derived ? "rollback-cascade-chain" : "rollback-chain", versions: n, derived: derived)
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let m = measureRollback(store, target, options)
      fields["\(label)_versions"] = m.retracted
      fields["\(label)_dry_run_s"] = round3(m.dryRun)
      fields["\(label)_rollback_s"] = round3(m.rollback)
      fields["\(label)_max_put_wait_ms"] = round3(m.maxPutWait * 1000)
    }
    fields["growth_dry_run"] = round3(
      (fields["large_dry_run_s"] as! Double) / (fields["small_dry_run_s"] as! Double))
    fields["growth_rollback"] = round3(
      (fields["large_rollback_s"] as! Double) / (fields["small_rollback_s"] as! Double))
    report(name, nil, extra: fields)
  }

  /// `fdb put` naming 1,600 and 16,000 parent versions with `--input`: the command line parsed
  /// as `fdb` parses it, then the write.
  func putInputs() {
    let dir = temporaryDirectory("put-inputs")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    try! store.define(FeatureDefinition("rb.parent", type: .double, maxVersions: 0))
    try! store.define(FeatureDefinition("rb.child", type: .double))
    try! store.write { b in for i in 0..<16_000 { b.put("rb.parent", "u", Double(i)) } }
    var fields: [String: Any] = [:]
    for n in [1_600, 16_000] {
      let arguments =
        ["put", "rb.child", "u", "1"] + (1...n).flatMap { ["--input", "rb.parent:u@\($0)"] }
      let start = nanos()
      let command = try! FDB.parseAsRoot(FDB.prepare(arguments))
      let parsed = nanos()
      _ = command
      try! store.put(
        "rb.child", "u", 1.0,
        lineage: Lineage(inputs: (1...n).map { .version("rb.parent", "u", UInt64($0)) }))
      let written = nanos()
      fields["parse_\(n)_s"] = round3(Double(parsed - start) / 1e9)
      fields["write_\(n)_s"] = round3(Double(written - parsed) / 1e9)
    }
    fields["growth_parse"] = round3(
      (fields["parse_16000_s"] as! Double) / max(0.001, fields["parse_1600_s"] as! Double))
    report("put_inputs", nil, extra: fields)
  }

  // MARK: - Helpers

  /// A store with `versions` versions of rb.chain:u in batches of 10,000; `derived`: version 1
  /// by run "root" alone, every later version derived from the one 10,000 before (or from 1).
  private func chainStore(_ name: String, versions: Int, derived: Bool) -> (FeatureStore, String) {
    let dir = temporaryDirectory(name)
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    try! store.define(FeatureDefinition("rb.chain", type: .double, maxVersions: 0))
    try! store.define(FeatureDefinition("rb.other", type: .double))
    let base = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    let step = 10_000
    var next = 1
    if derived {
      try! store.put("rb.chain", "u", 1.0, eventTime: base, lineage: Lineage(run: "root"))
      next = 2
    }
    while next <= versions {
      let end = min(versions, next + step - 1)
      try! store.write { b in
        for v in next...end {
          let lineage =
            derived
            ? Lineage(run: "derive", inputs: [.version("rb.chain", "u", UInt64(max(1, v - step)))])
            : Lineage(run: "fill")
          b.put(
            "rb.chain", "u", .double(Double(v)), eventTime: base + .seconds(Int64(v)),
            lineage: lineage)
        }
      }
      next = end + 1
    }
    return (store, dir)
  }

  /// Times a dry run and the rollback of `target`, with a thread putting values into rb.other
  /// until the rollback returns; returns the versions retracted, both times and the longest put.
  private func measureRollback(
    _ store: FeatureStore, _ target: RollbackTarget, _ options: RollbackOptions
  ) -> (retracted: Int, dryRun: Double, rollback: Double, maxPutWait: Double) {
    var dry = options
    dry.dryRun = true
    let t0 = nanos()
    _ = try! store.rollback(target, dry)
    let dryRun = Double(nanos() - t0) / 1e9
    let done = Mutex(false)
    let longest = Mutex<UInt64>(0)
    let writer = Thread {
      var i = 0.0
      while !done.withLock({ $0 }) {
        let s = nanos()
        try! store.put("rb.other", "w", i)
        let took = nanos() - s
        longest.withLock { $0 = max($0, took) }
        i += 1
      }
    }
    writer.start()
    let t1 = nanos()
    let result = try! store.rollback(target, options)
    let rollback = Double(nanos() - t1) / 1e9
    done.withLock { $0 = true }
    while !writer.isFinished { usleep(1_000) }
    return (result.retracted, dryRun, rollback, Double(longest.withLock { $0 }) / 1e9)
  }
}
