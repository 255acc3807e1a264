import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// Two writers of one run or one checkpoint: the second is refused before it writes, so two
/// `fdb pipeline run` of the same file at once leave what one run leaves, and a rollback of a
/// run is refused while the run is being written.
@Suite(.serialized) struct ConcurrentRunTests {
  /// Runs `fdb` with `arguments`; returns its status and standard error.
  func fdb(_ arguments: [String]) throws -> (status: Int32, error: String) {
    let process = try start(arguments)
    return try finish(process)
  }

  func start(_ arguments: [String]) throws -> (Process, Pipe) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: productPath("fdb"))
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    let error = Pipe()
    process.standardError = error
    try process.run()
    return (process, error)
  }

  func finish(_ started: (Process, Pipe)) throws -> (status: Int32, error: String) {
    let text = try started.1.fileHandleForReading.readToEnd() ?? Data()
    started.0.waitUntilExit()
    return (started.0.terminationStatus, String(decoding: text, as: UTF8.self))
  }

  /// Both runs start together; whichever is second is refused (or, if the first had ended,
  /// finds the file consumed). A third run then finishes the file, and the store equals one
  /// uninterrupted run's: no batch was committed twice and the checkpoint is not stuck.
  @Test func twoRunsOfOneFileAtOnceCommitEachBatchOnce() throws {
    let seed = UInt64.random(in: 0...1_000_000)
    print("concurrent runs: seed \(seed)")
    let dir = TemporaryDirectory()
    let users = 30
    var generator = EventGenerator(users: users, seed: seed)
    let input = dir.child("events.jsonl")
    try writeJSONLines((0..<6_000).map { _ in generator.next() }, to: input)
    let common = [
      "pipeline", "run", input, "--run", "twice", "--batch", "50", "--max-versions", "0",
      "--prefix", "user",
    ]
    let reference = dir.child("reference")
    let twice = dir.child("twice")
    for store in [reference, twice] { #expect(try fdb(["init", "--db", store]).status == 0) }
    #expect(try fdb(common + ["--db", reference]).status == 0)
    let first = try start(common + ["--db", twice])
    let second = try start(common + ["--db", twice])
    let outcomes = [try finish(first), try finish(second)]
    print("concurrent runs: seed \(seed): \(outcomes)")
    #expect(outcomes.contains { $0.status == 0 })
    for o in outcomes where o.status != 0 {
      #expect(o.status == 1 && o.error.contains("in use by another writer"), "\(o.error)")
      #expect(o.error.split(separator: "\n").count == 1)
    }
    #expect(try fdb(common + ["--db", twice]).status == 0)
    let (left, right) = try pipelineDumps(reference, twice, users: users)
    #expect(left.count > 6_000)
    let difference = zip(left, right).first { $0 != $1 }.map { "\($0)" }
    #expect(
      difference == nil && left.count == right.count,
      "seed \(seed): \(left.count) lines, \(right.count)")
    let b = try FeatureStore(path: twice, options: StoreOptions(readOnly: true))
    #expect(try b.run("twice")?.status == .succeeded)
  }

  /// While the pipeline's state namespace (its checkpoints) or the run is claimed, `fdb pipeline run` exits 1 with one
  /// line and writes nothing; once the claim ends it runs.
  @Test func aRunIsRefusedWhileItsCheckpointOrRunIsClaimed() throws {
    let dir = TemporaryDirectory()
    var generator = EventGenerator(users: 5, seed: 3)
    let input = dir.child("events.jsonl")
    try writeJSONLines((0..<200).map { _ in generator.next() }, to: input)
    let path = dir.child("store")
    #expect(try fdb(["init", "--db", path]).status == 0)
    let store = try FeatureStore(path: path)
    let runner = try PipelineRunner(store: store)
    let absolute = URL(fileURLWithPath: input).standardizedFileURL.path
    for resource in [WriterResource.namespace(runner.namespace), .run("held")] {
      let refused = try store.claiming(resource) {
        try fdb(["pipeline", "run", input, "--run", "held", "--db", path])
      }
      #expect(refused.status == 1)
      #expect(
        refused.error
          == "fdb: error: \(resource) is in use by another writer (a pipeline run or a rollback of it); nothing was written: retry when it ends\n"
      )
      #expect(try store.run("held") == nil)
      #expect(try store.checkpoint(runner.checkpointName(absolute)) == nil)
    }
    #expect(try fdb(["pipeline", "run", input, "--run", "held", "--db", path]).status == 0)
    #expect(try store.run("held")?.status == .succeeded)
    // `fdb rollback --run` of a run being written: one line, exit 1; a dry run is allowed.
    let (rollback, dryRun) = try store.claiming(.run("held")) {
      (
        try fdb(["rollback", "--run", "held", "--db", path]),
        try fdb(["rollback", "--run", "held", "--dry-run", "--db", path])
      )
    }
    #expect(rollback.status == 1)
    #expect(
      rollback.error
        == "fdb: error: run 'held' is in use by another writer (a pipeline run or a rollback of it); nothing was written: retry when it ends\n"
    )
    #expect(dryRun.status == 0)
    #expect(try store.run("held")?.status == .succeeded)
    #expect(try fdb(["rollback", "--run", "held", "--db", path]).status == 0)
    #expect(try store.run("held")?.status == .rolledBack)
  }
}

extension ConcurrentRunTests {
  /// A rollback of a run while the pipeline writes it is refused with a typed error and
  /// changes nothing (a dry run is allowed); once the run ends, the rollback covers every
  /// version it wrote.
  @Test func aRollbackOfARunningRunIsRefused() throws {
    let (db, dir) = try makeStore()
    _ = dir
    var generator = EventGenerator(users: 10, seed: 11)
    let events = (0..<600).map { _ in generator.next() }
    let runner = try PipelineRunner(
      store: db, extractors: [TemporalExtractor()],
      options: PipelineOptions(runID: "live", batchSize: 100, maxVersions: 0))
    var outcomes: [String] = []
    runner.progress = { _ in
      do {
        _ = try db.rollback(.run("live"), RollbackOptions(reason: "too early"))
        outcomes.append("rolled back")
      } catch {
        outcomes.append("\(error)")
      }
      if let dry = try? db.rollback(.run("live"), RollbackOptions(dryRun: true)), dry.retracted > 0
      {
        outcomes.append("dry run")
      }
    }
    let report = try runner.run(events: events, input: "live")
    #expect(outcomes.count >= 6)
    #expect(!outcomes.contains("rolled back"), "\(outcomes)")
    #expect(outcomes.contains(FeatureDBError.resourceBusy("run 'live'").description))
    #expect(try db.run("live")?.status == .succeeded)
    let result = try db.rollback(.run("live"), RollbackOptions(reason: "now"))
    #expect(result.retracted == report.versions)
    #expect(try db.run("live")?.status == .rolledBack)
  }
}

extension ConcurrentRunTests {
  /// A rolled-back run is not continued (its rollback would not cover what it writes next):
  /// resuming the input under it is refused. The runner rewound the state first, checkpoint
  /// included, so under a new run id (or none) the input starts over.
  @Test func aRolledBackRunIsNotContinued() throws {
    let (db, dir) = try makeStore()
    _ = dir
    var generator = EventGenerator(users: 4, seed: 2)
    let events = (0..<300).map { _ in generator.next() }
    func runner(_ id: String?) throws -> PipelineRunner {
      try PipelineRunner(
        store: db, extractors: [TemporalExtractor()], options: PipelineOptions(runID: id))
    }
    _ = try runner("first").run(events: events[..<100], input: "stream")
    _ = try db.rollback(.run("first"), RollbackOptions(reason: "bad"))
    #expect(
      throws: PipelineError.invalidConfiguration(
        "run 'first' was rolled back; continue this input under a new run id (--run)")
    ) { try runner("first").run(events: events, input: "stream") }
    #expect(try db.run("first")?.status == .rolledBack)
    let report = try runner(nil).run(events: events, input: "stream")
    #expect(report.events == 300 && report.startOffset == 0)
    #expect(report.runID != "first")
  }
}
