import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// `fdb pipeline run` killed with SIGKILL at random moments and started again over the same
/// file leaves exactly the store an uninterrupted run leaves: every feature, version number,
/// event time, value and lineage, and every user's state.
@Suite(.serialized) struct ExactlyOnceTests {
  static let kills = Int(ProcessInfo.processInfo.environment["FDB_PIPELINE_KILLS"] ?? "") ?? 8

  func runFDB(_ arguments: [String], killAfter milliseconds: Int? = nil) throws -> (
    status: Int32, killed: Bool
  ) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: productPath("fdb"))
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    if let milliseconds {
      let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
      while process.isRunning, Date() < deadline { usleep(2_000) }
      if process.isRunning {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return (process.terminationStatus, true)
      }
    }
    process.waitUntilExit()
    return (process.terminationStatus, false)
  }

  @Test(arguments: [Coalesce.perBatch, .perEvent])
  func aKilledRunResumedGivesTheUninterruptedStore(_ coalesce: Coalesce) throws {
    let seed = UInt64.random(in: 0...1_000_000)
    print("exactly-once \(coalesce.rawValue): seed \(seed)")
    let dir = TemporaryDirectory()
    let users = 40
    var generator = EventGenerator(users: users, seed: seed)
    let events = (0..<4_000).map { _ in generator.next() }
    let input = dir.child("events.jsonl")
    try writeJSONLines(events, to: input)
    let common = [
      "pipeline", "run", input, "--run", "crash", "--batch", "64", "--coalesce", coalesce.rawValue,
      "--max-versions", "0", "--prefix", "user",
    ]
    let reference = dir.child("reference")
    let crashed = dir.child("crashed")
    for store in [reference, crashed] {
      #expect(try runFDB(["init", "--db", store]).status == 0)
    }
    #expect(try runFDB(common + ["--db", reference]).status == 0)
    var killed = 0
    var committed: [Int] = []  // events committed after each kill
    var rng = SystemRandomNumberGenerator()
    for _ in 0..<Self.kills {
      let result = try runFDB(
        common + ["--db", crashed], killAfter: Int.random(in: 100...1_000, using: &rng))
      if result.killed { killed += 1 } else { #expect(result.status == 0) }
      let store = try FeatureStore(path: crashed, options: StoreOptions(readOnly: true))
      let runner = try PipelineRunner(store: store, options: PipelineOptions(prefix: "user"))
      if let bytes = try store.checkpoint(runner.checkpointName(input)) {
        committed.append(try JSONDecoder().decode(Checkpoint.self, from: Data(bytes)).report.events)
      }
    }
    print("exactly-once \(coalesce.rawValue): events committed after each kill \(committed)")
    #expect(committed == committed.sorted())
    #expect(try runFDB(common + ["--db", crashed]).status == 0)
    print("exactly-once \(coalesce.rawValue): \(killed) of \(Self.kills) runs killed")
    let (left, right) = try pipelineDumps(reference, crashed, users: users)
    #expect(left.count > 4_000)
    #expect(
      left == right,
      "seed \(seed): first difference \(zip(left, right).first { $0 != $1 }.map { "\($0)" } ?? "in length")"
    )
    let b = try FeatureStore(path: crashed, options: StoreOptions(readOnly: true))
    #expect(try b.run("crash")?.status == .succeeded)
    #expect(try b.run("crash")?.metadata["events"] == "4000")
  }
}

extension ExactlyOnceTests {
  /// SIGINT commits the batch in hand and records the run as interrupted (exit 130); running
  /// again finishes it. Per event, versions do not depend on batch boundaries, so the result
  /// equals an uninterrupted run's.
  @Test func anInterruptedRunCommitsWhatItReadAndResumes() throws {
    let dir = TemporaryDirectory()
    var generator = EventGenerator(users: 30, seed: 5)
    let events = (0..<4_000).map { _ in generator.next() }
    let input = dir.child("events.jsonl")
    try writeJSONLines(events, to: input)
    let common = [
      "pipeline", "run", input, "--run", "int", "--batch", "500", "--coalesce", "per-event",
      "--max-versions", "0",
    ]
    let reference = dir.child("reference")
    let interrupted = dir.child("interrupted")
    for store in [reference, interrupted] {
      #expect(try runFDB(["init", "--db", store]).status == 0)
    }
    #expect(try runFDB(common + ["--db", reference]).status == 0)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: productPath("fdb"))
    process.arguments = common + ["--db", interrupted]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    usleep(400_000)
    kill(process.processIdentifier, SIGINT)
    process.waitUntilExit()
    do {
      let store = try FeatureStore(path: interrupted, options: StoreOptions(readOnly: true))
      let run = try #require(try store.run("int"))
      if process.terminationStatus == 130 {
        #expect(run.status == .failed && run.metadata["interrupted"] == "true")
        let events = Int(run.metadata["events"] ?? "") ?? 0
        #expect(events > 0 && events < 4_000, "events \(events)")
      } else {
        // The run had finished before the signal came.
        #expect(process.terminationStatus == 0 && run.status == .succeeded)
      }
    }
    #expect(try runFDB(common + ["--db", interrupted]).status == 0)
    let (left, right) = try pipelineDumps(reference, interrupted, users: 30, prefix: "")
    #expect(left == right)
    let b = try FeatureStore(path: interrupted, options: StoreOptions(readOnly: true))
    #expect(try b.run("int")?.status == .succeeded)
  }
}
