import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// A rollback of a pipeline run rewinds the pipeline state (user states, source IP records,
/// input checkpoints) to before the run, so rerunning corrected input under the same prefix
/// gives what a clean run gives; an undo of the rollback restores it while nothing ran since.
@Suite struct RewindTests {
  static let users = 24

  /// Generated input: `good` the first part, `corrected` the second, `bad` the second with
  /// every third event duplicated (another id) and every amount and byte count times 1,000.
  struct Inputs {
    var good: [BehaviorEvent]
    var corrected: [BehaviorEvent]
    var bad: [BehaviorEvent]
    var more: [BehaviorEvent]

    init(seed: UInt64) {
      var generator = EventGenerator(users: RewindTests.users, seed: seed)
      good = (0..<900).map { _ in generator.next() }
      corrected = (0..<600).map { _ in generator.next() }
      more = (0..<300).map { _ in generator.next() }
      bad = corrected.enumerated().flatMap { i, e -> [BehaviorEvent] in
        var b = e
        for key in ["amount", "value", "bytes"] {
          if let x = b.data[key]?.number { b.data[key] = .number(x * 1_000) }
        }
        guard i % 3 == 0 else { return [b] }
        var dup = b
        dup.eventID += "-dup"
        return [b, dup]
      }
    }

    /// Every source IP key the inputs name.
    var sourceKeys: [String] {
      Set((good + corrected + bad + more).compactMap { $0.data["source_ip"]?.string })
        .map(SourceRecord.key).sorted()
    }
  }

  /// A test's seed and inputs, and a directory for its stores and the files they read; the
  /// files are shared by every store of a test so their checkpoints (path, device, inode)
  /// compare.
  final class Bench {
    let seed: UInt64
    let inputs: Inputs
    let dir = TemporaryDirectory()
    private var stores = 0

    /// Inputs from a new seed, printed with the test's name.
    init(_ test: String) {
      seed = UInt64.random(in: 0...1_000_000)
      print("\(test): seed \(seed)")
      inputs = Inputs(seed: seed)
    }

    func path(_ name: String) -> String { dir.child(name + ".jsonl") }

    func write(_ events: [BehaviorEvent], as name: String) throws {
      try writeJSONLines(events, to: path(name))
    }

    /// A new store in the directory.
    func store() throws -> FeatureStore {
      stores += 1
      return try FeatureStore(
        path: dir.child("store\(stores).fdb"), options: StoreOptions(durability: .noSync))
    }
  }

  /// A new bench whose store has run the good, bad and further inputs, written as `a`, `b`
  /// and `c`, as the runs named `runs` (in that order).
  static func bench(_ test: String, after runs: [String]) throws -> (Bench, FeatureStore) {
    let bench = Bench(test)
    let db = try bench.store()
    try bench.write(bench.inputs.good, as: "a")
    try bench.write(bench.inputs.bad, as: "b")
    try bench.write(bench.inputs.more, as: "c")
    try Self.runs(runs, db, bench)
    return (bench, db)
  }

  static func runner(_ db: FeatureStore, run: String? = nil, batch: Int = 64) throws
    -> PipelineRunner
  {
    try PipelineRunner(
      store: db,
      options: PipelineOptions(prefix: "user", runID: run, batchSize: batch, maxVersions: 0))
  }

  @discardableResult
  static func run(_ db: FeatureStore, _ file: String, run: String? = nil) throws -> PipelineRunner {
    let r = try runner(db, run: run)
    _ = try r.run(file: file)
    return r
  }

  /// Runs each named input in turn, as a run of the same name.
  static func runs(_ names: [String], _ db: FeatureStore, _ bench: Bench) throws {
    for name in names { try run(db, bench.path(name), run: name) }
  }

  /// What a clean run and a rewound one must agree on, as comparable lines: per user and
  /// feature the active versions (value, event time, run, source, inputs, a parent version as
  /// its value, event time and status; not version numbers, which go on counting after a
  /// rollback) and the latest value; every user state,
  /// every source IP record, and the checkpoints of `inputs` (JSON with sorted keys).
  static func dump(
    _ db: FeatureStore, inputs: [String], sourceKeys: [String], perEvent: Bool = false
  ) throws -> [String] {
    let r = try runner(db)
    var lines: [String] = []
    var histories: [String: [UInt64: Version]] = [:]
    /// A version input as what it names: the parent's value, event time and status.
    func resolved(_ input: LineageInput) throws -> String {
      guard case .version(let f, let e, let n) = input else { return "\(input)" }
      let key = "\(f):\(e)"
      if histories[key] == nil {
        histories[key] = Dictionary(
          uniqueKeysWithValues: try db.history(f, e, includeRetracted: true).map {
            ($0.version, $0)
          })
      }
      guard let v = histories[key]![n] else { return "\(key)@missing" }
      return "\(key)=\(v.value.map(String.init(describing:)) ?? "-")@\(v.eventTime) \(v.status)"
    }
    for i in 0..<users {
      let u = "user\(i)"
      for f in r.featureNames {
        for v in try db.history(f, u) {
          let inputs = try v.lineage.inputs.map(resolved)
          lines.append(
            "\(f):\(u) \(v.value.map(String.init(describing:)) ?? "-") \(v.eventTime) "
              + "\(v.lineage.run ?? "-") \(v.lineage.source ?? "-") \(inputs)")
        }
        lines.append("latest \(f):\(u) \(try db.latest(f, u).map(String.init(describing:)) ?? "-")")
      }
      lines.append("state \(u) \(try db.state(entity: u, namespace: r.namespace) ?? [])")
    }
    for key in sourceKeys {
      lines.append("ip \(key) \(try db.state(entity: key, namespace: "pipeline-ip:user.") ?? [])")
    }
    for input in inputs {
      let name = r.checkpointName(input)
      lines.append(
        "checkpoint \(name) \(try sortedJSON(try db.checkpoint(name), perEvent: perEvent))")
    }
    return lines
  }

  /// The JSON with sorted keys; in per-event mode without the report's batch count (batches
  /// end when the committer is idle: a matter of timing).
  static func sortedJSON(_ bytes: [UInt8]?, perEvent: Bool = false) throws -> String {
    guard let bytes else { return "none" }
    var object = try JSONSerialization.jsonObject(with: Data(bytes))
    if perEvent, var top = object as? [String: Any], var report = top["report"] as? [String: Any] {
      report["batches"] = nil
      top["report"] = report
      object = top
    }
    return String(
      decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]),
      as: UTF8.self)
  }

  static func expectSame(_ a: [String], _ b: [String], _ seed: UInt64) {
    #expect(a.count > 1_000)
    let same = a == b
    #expect(
      same,
      "seed \(seed): first difference \(zip(a, b).first { $0 != $1 }.map { "\($0)" } ?? "in length \(a.count) against \(b.count)")"
    )
  }

  /// Runs each (input name, run id) in order in a fresh store and expects `db` to hold the same.
  static func expectSameAsClean(_ db: FeatureStore, runs: [(String, String)], _ bench: Bench)
    throws
  {
    let clean = try bench.store()
    for (name, id) in runs { try run(clean, bench.path(name), run: id) }
    let files = runs.map { bench.path($0.0) }
    let keys = bench.inputs.sourceKeys
    expectSame(
      try dump(clean, inputs: files, sourceKeys: keys),
      try dump(db, inputs: files, sourceKeys: keys), bench.seed)
  }

  // MARK: - Rollback, rerun

  /// A under P, bad B under P, rollback of B's run with cascade, corrected B' under P at B's
  /// path: every value, user state, source IP record and checkpoint is the clean run's (A then
  /// B').
  @Test func aRollbackThenTheCorrectedInputGivesTheCleanRun() throws {
    let (bench, db) = try Self.bench("rewind", after: ["a", "b"])
    let inputs = bench.inputs
    // What run b saved: one record per user, source IP and input it changed.
    let saved = try db.checkpoints(
      prefix: PreRunRecord.prefix(namespace: "pipeline:user.", run: "b"))
    let decoded = try saved.map { try PreRunRecord(decoding: $0.bytes, record: $0.name) }
    for kind in [PreRunRecord.Kind.user, .source, .checkpoint] {
      let of = saved.indices.filter { decoded[$0].kind == kind }
      let before = of.map { decoded[$0].before?.count ?? 0 }.reduce(0, +)
      let stored = of.map { saved[$0].name.utf8.count + saved[$0].bytes.count + 4 }.reduce(0, +)
      print(
        "rewind: run b saved \(of.count) \(kind) records, \(before) bytes of state found, "
          + "\(stored) bytes stored (keys and values)")
    }
    let rollback = try db.rollback(.run("b"), RollbackOptions(cascade: true, reason: "bad feed"))
    #expect(rollback.retracted > 0)
    try bench.write(inputs.corrected, as: "b")
    // No --run: the rewound checkpoint no longer names run b, so B' gets a run of its own.
    let rerun = try Self.runner(db, run: "b2")
    _ = try rerun.run(file: bench.path("b"))
    #expect(rerun.stateRewind?.direction == .rewound && rerun.stateRewind?.runs == ["b"])

    try Self.expectSameAsClean(db, runs: [("a", "a"), ("b", "b2")], bench)
    // The rewind is recorded: run b rewound in the ledger, and a run after it does nothing more.
    let ledger = try RunLedger(
      decoding: try db.checkpoint(RunLedger.name(prefix: "user."))!, prefix: "user")
    #expect(ledger.runs.map(\.run) == ["a", "b", "b2"])
    #expect(ledger.runs.map { $0.rewound != nil } == [false, true, false])
    // b2 committed after the rewind, so b's records can never be used again: the next start
    // removes them.
    #expect(ledger.runs.map(\.records) == [nil, "dropped", nil])
    #expect(try Self.runner(db).applyRollbacks() == nil)
    #expect(
      try db.checkpoints(prefix: PreRunRecord.prefix(namespace: "pipeline:user.", run: "b"))
        .isEmpty)
    let after = try RunLedger(
      decoding: try db.checkpoint(RunLedger.name(prefix: "user."))!, prefix: "user")
    #expect(after.runs.map(\.records) == [nil, "removed", nil])
  }

  /// Only the latest `rewindableRuns` runs of a prefix keep what they found: the records of
  /// older ones are removed by the next start, and a rollback of one of them is refused by the
  /// next run, naming it, with nothing written.
  @Test func onlyTheLatestRunsStayRewindable() throws {
    let bench = Bench("rewindable runs")
    let inputs = bench.inputs
    let db = try bench.store()
    let parts = [inputs.good, inputs.corrected, inputs.more, inputs.bad]
    func runner(_ run: String?) throws -> PipelineRunner {
      var options = PipelineOptions(prefix: "user", runID: run, batchSize: 64, maxVersions: 0)
      options.rewindableRuns = 2
      return try PipelineRunner(store: db, options: options)
    }
    for (i, part) in parts.enumerated() {
      try bench.write(part, as: "in\(i)")
      _ = try runner("r\(i)").run(file: bench.path("in\(i)"))
    }
    func records(_ run: String) throws -> Int {
      try db.checkpoints(prefix: PreRunRecord.prefix(namespace: "pipeline:user.", run: run)).count
    }
    #expect(try runner(nil).applyRollbacks() == nil)
    #expect(try ["r0", "r1"].map(records) == [0, 0])
    #expect(try ["r2", "r3"].allSatisfy { try records($0) > 0 })
    _ = try db.rollback(.run("r3"), RollbackOptions(cascade: true))
    _ = try db.rollback(.run("r2"), RollbackOptions(cascade: true))
    #expect(try runner(nil).applyRollbacks()?.runs == ["r2", "r3"])
    _ = try db.rollback(.run("r1"), RollbackOptions(cascade: true))
    let files = (0..<4).map { bench.path("in\($0)") }
    let before = try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys)
    #expect(
      throws: PipelineError.rewindRefused(
        prefix: "user", runs: ["r1"], blocking: [],
        reason:
          "the state it found is no longer kept (a prefix keeps it for its latest runs, PipelineOptions.rewindableRuns); undo the rollback, or rerun the inputs under a new --prefix"
      )
    ) { try runner("r4").run(file: bench.path("in0")) }
    let unchanged = before == (try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys))
    #expect(unchanged)
  }

  /// Without the cascade too (the run's own versions only), and in per-event mode.
  @Test func withoutCascadeInPerEventMode() throws {
    let bench = Bench("rewind per event")
    let (seed, inputs) = (bench.seed, bench.inputs)
    let db = try bench.store()
    try bench.write(inputs.good, as: "a")
    try bench.write(inputs.bad, as: "b")
    func run(_ db: FeatureStore, _ name: String, _ id: String) throws {
      _ = try PipelineRunner(
        store: db,
        options: PipelineOptions(
          prefix: "user", runID: id, batchSize: 50, coalesce: .perEvent, maxVersions: 0)
      ).run(file: bench.path(name))
    }
    try run(db, "a", "a")
    try run(db, "b", "b")
    _ = try db.rollback(.run("b"))
    try bench.write(inputs.corrected, as: "b")
    try run(db, "b", "b2")
    let clean = try bench.store()
    try run(clean, "a", "a")
    try run(clean, "b", "b2")
    let files = [bench.path("a"), bench.path("b")]
    Self.expectSame(
      try Self.dump(clean, inputs: files, sourceKeys: inputs.sourceKeys, perEvent: true),
      try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys, perEvent: true), seed)
  }

  /// A run over the same input as the run before (B' appended to the file of A): the rewind
  /// puts the checkpoint of A's file back where A left it.
  @Test func aRunThatContinuedAnInputRewindsItsCheckpoint() throws {
    let bench = Bench("rewind continued input")
    let inputs = bench.inputs
    let db = try bench.store()
    let clean = try bench.store()
    let file = bench.path("in")
    // One file, changed in place (its checkpoints name its inode): A, then B appended, then
    // cut back to A and B' appended.
    try bench.write(inputs.good, as: "in")
    let goodSize = try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
    try Self.run(db, file, run: "a")
    try Self.run(clean, file, run: "a")
    try appendJSONLines(inputs.bad, to: file)
    try Self.run(db, file, run: "b")
    _ = try db.rollback(.run("b"), RollbackOptions(cascade: true))
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
    try handle.truncate(atOffset: UInt64(goodSize))
    try handle.close()
    try appendJSONLines(inputs.corrected, to: file)
    try Self.run(db, file, run: "b2")
    try Self.run(clean, file, run: "b2")
    Self.expectSame(
      try Self.dump(clean, inputs: [file], sourceKeys: inputs.sourceKeys),
      try Self.dump(db, inputs: [file], sourceKeys: inputs.sourceKeys), bench.seed)
  }

  // MARK: - Undo

  /// An undo before anything rewound: the state still holds the run's, and the next run goes
  /// on from it as if there had been no rollback.
  @Test func anUndoBeforeAnyRunLeavesTheRunsState() throws {
    let (bench, db) = try Self.bench("undo before rewind", after: ["a", "b"])
    let op = try db.rollback(.run("b"), RollbackOptions(cascade: true)).operation!
    _ = try db.undo(op.id)
    let next = try Self.run(db, bench.path("c"), run: "c")
    #expect(next.stateRewind == nil)
    try Self.expectSameAsClean(
      db, runs: [("a", "a"), ("b", "b"), ("c", "c")], bench)
  }

  /// Rewound, then the rollback undone before any run: the next start restores what the
  /// rewind replaced, exactly.
  @Test func anUndoAfterARewindRestoresTheRunsState() throws {
    let (bench, db) = try Self.bench("undo after rewind", after: ["a", "b"])
    let inputs = bench.inputs
    let files = ["a", "b", "c"].map(bench.path)
    let afterB = try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys)
    let op = try db.rollback(.run("b"), RollbackOptions(cascade: true)).operation!
    let rewind = try Self.runner(db).applyRollbacks()
    #expect(rewind?.direction == .rewound && rewind?.runs == ["b"])
    #expect(try db.checkpoint(Self.runner(db).checkpointName(bench.path("b"))) == nil)
    _ = try db.undo(op.id)
    let restore = try Self.runner(db).applyRollbacks()
    #expect(restore?.direction == .restored && restore?.runs == ["b"])
    #expect(restore?.records == rewind?.records)
    Self.expectSame(
      afterB, try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys), bench.seed)
    // Rolled back again: rewound again (the records keep what the run found).
    let again = try db.rollback(.run("b"), RollbackOptions(cascade: true)).operation!
    #expect(try Self.runner(db).applyRollbacks()?.direction == .rewound)
    _ = try db.undo(again.id)
    try Self.run(db, bench.path("c"), run: "c")
    try Self.expectSameAsClean(
      db, runs: [("a", "a"), ("b", "b"), ("c", "c")], bench)
  }

  /// Rewound, a new run committed, then the rollback undone: the state cannot hold both runs,
  /// so the next start is refused (naming both) and writes nothing; rolling the run back again
  /// lets the pipeline go on from the rewound state.
  @Test func anUndoAfterARewindAndANewRunIsRefusedUntilRolledBackAgain() throws {
    let (bench, db) = try Self.bench("undo after rerun", after: ["a", "b"])
    let inputs = bench.inputs
    let op = try db.rollback(.run("b"), RollbackOptions(cascade: true)).operation!
    try bench.write(inputs.corrected, as: "b")
    try Self.run(db, bench.path("b"), run: "b2")
    _ = try db.undo(op.id)
    let files = ["a", "b", "c"].map(bench.path)
    let before = try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys)
    #expect(
      throws: PipelineError.rewindRefused(
        prefix: "user", runs: ["b"], blocking: ["b2"],
        reason:
          "the rollback was undone after the state was rewound past it and run 'b2' committed since; the state cannot hold both, roll back run 'b' again"
      )
    ) { try Self.runner(db, run: "c").run(file: bench.path("c")) }
    #expect(try db.run("c") == nil)
    let unchanged = before == (try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys))
    #expect(unchanged)
    _ = try db.rollback(.run("b"), RollbackOptions(cascade: true))
    let next = try Self.run(db, bench.path("c"), run: "c")
    #expect(next.stateRewind == nil)  // b's state was rewound already
    try Self.expectSameAsClean(
      db, runs: [("a", "a"), ("b", "b2"), ("c", "c")], bench)
  }

  // MARK: - Not the latest run

  /// The rolled-back run is not the prefix's latest: the later run built its state on it, so
  /// the next start is refused, naming it, until it is rolled back too; then both are rewound
  /// together, to before the first.
  @Test func aRolledBackRunWithALaterLiveRunIsRefusedUntilThatOneIsRolledBack() throws {
    let (bench, db) = try Self.bench("not the latest run", after: ["a", "b", "c"])
    let inputs = bench.inputs
    _ = try db.rollback(.run("b"), RollbackOptions(cascade: true))
    let files = ["a", "b", "c"].map(bench.path)
    let before = try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys)
    let refused = PipelineError.rewindRefused(
      prefix: "user", runs: ["b"], blocking: ["c"],
      reason:
        "run 'c' committed after it and is not rolled back, so the state holds what both wrote; roll back run 'c' too (fdb rollback --run), or undo the rollback"
    )
    #expect(throws: refused) { try Self.runner(db).applyRollbacks() }
    #expect(throws: refused) { try Self.runner(db, run: "b2").run(file: bench.path("b")) }
    #expect(
      refused.description
        == "cannot rewind the pipeline state of prefix 'user' past run 'b': run 'c' committed after it and is not rolled back, so the state holds what both wrote; roll back run 'c' too (fdb rollback --run), or undo the rollback"
    )
    let unchanged = before == (try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys))
    #expect(unchanged)
    _ = try db.rollback(.run("c"), RollbackOptions(cascade: true))
    try bench.write(inputs.corrected, as: "b")
    let rerun = try Self.runner(db, run: "b2")
    _ = try rerun.run(file: bench.path("b"))
    #expect(rerun.stateRewind?.runs == ["b", "c"])
    try Self.run(db, bench.path("c"), run: "c2")
    try Self.expectSameAsClean(
      db, runs: [("a", "a"), ("b", "b2"), ("c", "c2")], bench)
  }

  /// Two runs rewound together, then only the later one's rollback undone: its state was
  /// built on the earlier one, still rolled back, so the start is refused naming it; once the
  /// earlier one's rollback is undone too, both come back.
  @Test func anUndoOfPartOfARewindIsRefusedUntilTheWholeIsUndone() throws {
    let (bench, db) = try Self.bench("undo part of a rewind", after: ["a", "b", "c"])
    let inputs = bench.inputs
    let files = ["a", "b", "c"].map(bench.path)
    let afterC = try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys)
    let opB = try db.rollback(.run("b"), RollbackOptions(cascade: true)).operation!
    let opC = try db.rollback(.run("c"), RollbackOptions(cascade: true)).operation!
    #expect(try Self.runner(db).applyRollbacks()?.runs == ["b", "c"])
    _ = try db.undo(opC.id)
    #expect(
      throws: PipelineError.rewindRefused(
        prefix: "user", runs: ["c"], blocking: ["b"],
        reason:
          "the rollback was undone, but the state was rewound together with run 'b', still rolled back; undo its rollback too, or roll back run 'c' again"
      )
    ) { try Self.runner(db).applyRollbacks() }
    _ = try db.undo(opB.id)
    #expect(try Self.runner(db).applyRollbacks()?.direction == .restored)
    Self.expectSame(
      afterC, try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys), bench.seed)
  }

  // MARK: - What a run saves

  /// A run saves what it found once per user, source IP and input, in the transaction of its
  /// first batch that changes it: not again per batch, nor when it is resumed (the second
  /// invocation of run `a` below finds the first's state and must not save it).
  @Test func aRunSavesWhatItFoundOncePerPieceAcrossBatchesAndResumes() throws {
    let bench = Bench("saved once")
    let inputs = bench.inputs
    let db = try bench.store()
    try bench.write(Array(inputs.good.prefix(400)), as: "a")
    try Self.run(db, bench.path("a"), run: "a")
    try appendJSONLines(Array(inputs.good.dropFirst(400)), to: bench.path("a"))
    // Resumed with a cache small enough to empty after every batch: states are read back.
    let resumed = try PipelineRunner(
      store: db,
      options: PipelineOptions(
        prefix: "user", runID: "a", batchSize: 64, maxVersions: 0, stateCacheBytes: 1))
    _ = try resumed.run(file: bench.path("a"))
    let records = try db.checkpoints(
      prefix: PreRunRecord.prefix(namespace: "pipeline:user.", run: "a"))
    let kinds = try records.map { try PreRunRecord(decoding: $0.bytes, record: $0.name) }
    let users = Set(inputs.good.map(\.userID))
    // The source IP records the run changed (those of events that failed or succeeded).
    let ips = try Set(inputs.good.compactMap { $0.data["source_ip"]?.string }.map(SourceRecord.key))
      .filter { try db.state(entity: $0, namespace: "pipeline-ip:user.") != nil }
    #expect(kinds.filter { $0.kind == .user }.count == users.count)
    #expect(kinds.filter { $0.kind == .source }.count == ips.count)
    #expect(kinds.filter { $0.kind == .checkpoint }.count == 1)
    // Everything the run found was nothing (a new store): the second invocation, which found
    // the first one's states, saved none of them again.
    #expect(kinds.allSatisfy { $0.before == nil && $0.after == nil })
    #expect(Set(kinds.map(\.epoch)) == [1, 2])
    _ = try db.rollback(.run("a"), RollbackOptions(cascade: true))
    #expect(try Self.runner(db).applyRollbacks()?.records == records.count)
    for u in users {
      #expect(try db.state(entity: u, namespace: "pipeline:user.") == nil)
    }
    #expect(try db.checkpoint(Self.runner(db).checkpointName(bench.path("a"))) == nil)
  }

  // MARK: - Never half rewound

  /// A rewind is one transaction, worked out before it writes: a pre-run record that does not
  /// decode fails it with `corruptState` naming the record, and the store is unchanged.
  @Test func aRewindThatFailsWritesNothing() throws {
    let (bench, db) = try Self.bench("failed rewind", after: ["a", "b"])
    let inputs = bench.inputs
    _ = try db.rollback(.run("b"), RollbackOptions(cascade: true))
    let records = try db.checkpoints(
      prefix: PreRunRecord.prefix(namespace: "pipeline:user.", run: "b"))
    let damaged = records[records.count / 2].name
    var batch = WriteBatch()
    batch.setCheckpoint(damaged, [9, 9, 9])
    try db.commit(batch)
    let files = ["a", "b"].map(bench.path)
    let before = try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys)
    let ledger = try db.checkpoint(RunLedger.name(prefix: "user."))
    #expect(
      throws: PipelineError.corruptState("pre-run record '\(damaged)': unknown format")
    ) { try Self.runner(db).applyRollbacks() }
    let unchanged = before == (try Self.dump(db, inputs: files, sourceKeys: inputs.sourceKeys))
    #expect(unchanged)
    #expect(try db.checkpoint(RunLedger.name(prefix: "user.")) == ledger)
  }

  /// The record names: fixed-width hashes of the namespace and the run, a kind letter, and the
  /// name (or its hash past 400 bytes); the record's bytes round-trip.
  @Test func preRunRecordsRoundTrip() throws {
    let prefix = PreRunRecord.prefix(namespace: "pipeline:user.", run: "b")
    #expect(prefix.utf8.count == "pipeline-rewind:".utf8.count + 16 + 1 + 16 + 1)
    #expect(PreRunRecord.name(.user, "u1", prefix: prefix) == prefix + "uu1")
    let long = String(repeating: "x", count: 500)
    #expect(
      PreRunRecord.name(.checkpoint, long, prefix: prefix).utf8.count == prefix.utf8.count + 18)
    for after in [nil, .some(nil), .some([7, 8] as [UInt8])] as [[UInt8]??] {
      for before in [nil, [1, 2, 3]] as [[UInt8]?] {
        let r = PreRunRecord(kind: .source, epoch: 300, name: "ip", before: before, after: after)
        #expect(try PreRunRecord(decoding: r.encoded(), record: "x") == r)
      }
    }
    // u8 1, kind 0, epoch 5, name "u1", flags 1, 2 bytes before.
    #expect(
      PreRunRecord(kind: .user, epoch: 5, name: "u1", before: [0xAA, 0xBB]).encoded()
        == [1, 0, 5, 2, 0x75, 0x31, 1, 2, 0xAA, 0xBB])
  }
}

/// Appends `events` as JSON Lines to the file at `path` (in place).
func appendJSONLines(_ events: [BehaviorEvent], to path: String) throws {
  let data = try jsonLines(events)
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  defer { try? handle.close() }
  try handle.seekToEnd()
  try handle.write(contentsOf: data)
}
