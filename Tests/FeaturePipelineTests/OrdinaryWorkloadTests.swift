import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// A healthy store is never reported damaged (DESIGN.md, *Trust*): seeded random sequences of
/// ordinary use — imports out of order, values that grow and shrink past the overflow-page size,
/// derived writes, retention changes and prune, vacuum, compact, rollbacks of every form with and
/// without cascade, undo, pipeline reruns — must leave a store that `verify` finds clean, that
/// exports both ways, and that reads with every page checked, after every step.
///
/// `FDB_WORKLOAD_STEPS` (default 40) and `FDB_WORKLOAD_SEEDS` (default 2) scale it up;
/// `FDB_WORKLOAD_SEED` replays one seed.
@Suite(.serialized) struct OrdinaryWorkloadTests {
  static let steps = Int(ProcessInfo.processInfo.environment["FDB_WORKLOAD_STEPS"] ?? "") ?? 40
  static let seeds = Int(ProcessInfo.processInfo.environment["FDB_WORKLOAD_SEEDS"] ?? "") ?? 2

  @Test func ordinaryWorkloadsAlwaysVerifyCleanAndExport() throws {
    for _ in 0..<Self.seeds {
      let seed =
        ProcessInfo.processInfo.environment["FDB_WORKLOAD_SEED"].flatMap { UInt64($0) }
        ?? UInt64.random(in: 0...1_000_000_000)
      print("ordinary workload: seed \(seed) (FDB_WORKLOAD_STEPS=\(Self.steps))")
      var workload = try OrdinaryWorkload(seed: seed)
      for step in 0..<Self.steps {
        let action = try workload.step()
        if action.hasPrefix("pipeline") && action.contains(" after ") {
          print("ordinary workload: seed \(seed), step \(step): \(action)")
        }
        let problems = try workload.check()
        #expect(problems.isEmpty, "seed \(seed), step \(step) (\(action)): \(problems)")
        if !problems.isEmpty { return }
      }
    }
  }
}

/// The store and what the workload has written so far, to choose the next ordinary action.
struct OrdinaryWorkload {
  static let entities = (0..<6).map { "e\($0)" }
  static let base = Timestamp(iso8601: "2026-01-05T00:00:00Z")!
  /// Every read checks the pages on its path.
  static let options = StoreOptions(durability: .noSync, checkPages: true)

  var rng: SplitMix64
  let dir = TemporaryDirectory()
  var store: FeatureStore
  var generation = 0
  var runs: [String] = []
  var counter = 0
  let events: String

  init(seed: UInt64) throws {
    rng = SplitMix64(seed: seed)
    store = try FeatureStore(path: dir.child("store-0"), options: Self.options)
    try store.define(FeatureDefinition("s", type: .string, maxVersions: 0))
    try store.define(FeatureDefinition("d", type: .double, maxVersions: 4, ttl: .days(2)))
    try store.define(FeatureDefinition("v", type: .embedding(dims: 32), maxVersions: 2))
    try store.define(FeatureDefinition("r", type: .double, maxVersions: 0))
    var generator = EventGenerator(users: 6, seed: seed)
    events = dir.child("events.jsonl")
    try writeJSONLines((0..<200).map { _ in generator.next() }, to: events)
  }

  var features: [String] { ["s", "d", "v", "r"] }

  /// A random event time within ten days of the base, to the microsecond: imports arrive out
  /// of order.
  mutating func eventTime() -> Timestamp {
    Self.base + TimeSpan(microseconds: .random(in: -864_000_000_000...864_000_000_000, using: &rng))
  }

  /// A string of a length drawn to cross the overflow-page size both ways.
  mutating func text() -> String {
    let length =
      Bool.random(using: &rng)
      ? Int.random(in: 1...40, using: &rng)
      : Int.random(in: 1_000...9_000, using: &rng)
    return String(repeating: "abcdefghij", count: length / 10 + 1).prefix(length).description
  }

  mutating func entity() -> String { Self.entities.randomElement(using: &rng)! }

  /// One ordinary action; returns what it did.
  mutating func step() throws -> String {
    counter += 1
    switch Int.random(in: 0..<100, using: &rng) {
    case 0..<25: return try importRows()
    case 25..<40: return try deriveWrites()
    case 40..<47: return try pruneAfterRetentionChange()
    case 47..<53:
      let removed = try store.vacuum(now: Self.base + .days(Int64.random(in: 0...14, using: &rng)))
      return "vacuum (\(removed))"
    case 53..<58: return try compact()
    case 58..<75: return try rollback()
    case 75..<85: return try undo()
    default: return try pipeline()
    }
  }

  mutating func importRows() throws -> String {
    let rows = Int.random(in: 20...500, using: &rng)
    var csv = "entity,event_time,s,d\n"
    for _ in 0..<rows {
      let d = Bool.random(using: &rng) ? "\(Double.random(in: -1e6...1e6, using: &rng))" : ""
      csv += "\(entity()),\(eventTime()),\(text()),\(d)\n"
    }
    let path = dir.child("import-\(counter).csv")
    try csv.write(toFile: path, atomically: true, encoding: .utf8)
    let run = "import-\(counter)"
    runs.append(run)
    let empty: EmptyCells = Bool.random(using: &rng) ? .skip : .null
    try store.importCSV(
      path,
      options: ImportOptions(
        entityColumn: "entity", timestampColumn: "event_time", run: run, emptyCells: empty))
    return "import \(rows) rows (\(empty))"
  }

  /// Writes `r` derived from the latest `s` and `d` of some entities, and an embedding.
  mutating func deriveWrites() throws -> String {
    let run = "job-\(counter)"
    runs.append(run)
    var parents: [(String, [LineageInput])] = []
    for e in Self.entities where Bool.random(using: &rng) {
      let inputs = try ["s", "d"].compactMap { f in
        try store.history(f, e, limit: 1).first.map {
          LineageInput.version(feature: f, entity: e, version: $0.version)
        }
      }
      parents.append((e, inputs))
    }
    let vector = (0..<32).map { _ in Float.random(in: -1...1, using: &rng) }
    let time = eventTime()
    try store.write { batch in
      batch.lineage = Lineage(producer: "derive@1", run: run)
      for (e, inputs) in parents {
        batch.put(
          "r", e, Double(inputs.count), eventTime: time,
          lineage: Lineage(producer: "derive@1", run: run, inputs: inputs))
        batch.put("v", e, vector, eventTime: time)
      }
    }
    return "derive \(parents.count) entities"
  }

  mutating func pruneAfterRetentionChange() throws -> String {
    let keep = Int.random(in: 1...6, using: &rng)
    try store.updateRetention("d", maxVersions: keep)
    let result = try store.prune()
    return "max versions of d \(keep), prune (\(result))"
  }

  mutating func compact() throws -> String {
    generation += 1
    let target = dir.child("store-\(generation)")
    try store.compact(to: target)
    store = try FeatureStore(path: target, options: Self.options)
    return "compact to store-\(generation)"
  }

  mutating func rollback() throws -> String {
    let e = entity()
    let f = ["s", "d", "r"].randomElement(using: &rng)!
    let history = try store.history(f, e)
    let target: RollbackTarget
    switch Int.random(in: 0..<4, using: &rng) {
    case 0 where !runs.isEmpty: target = .run(runs.randomElement(using: &rng)!)
    case 1 where history.count > 1:
      target = .toVersion(
        feature: f, entity: e, version: history.randomElement(using: &rng)!.version)
    case 2 where !history.isEmpty:
      target = .toTime(
        feature: f, entity: e, writeTime: history.randomElement(using: &rng)!.writeTime)
    default:
      guard let since = history.last?.writeTime else { return "rollback: nothing written yet" }
      target = .feature(f, since: since)
    }
    let options = RollbackOptions(cascade: Bool.random(using: &rng), actor: "workload")
    return try ordinary("rollback \(target) cascade \(options.cascade)") {
      _ = try store.rollback(target, options)
    }
  }

  mutating func undo() throws -> String {
    let candidates = try store.operations(limit: 1_000).filter {
      $0.kind == .rollback && $0.undoneBy == nil
    }
    guard let op = candidates.randomElement(using: &rng) else { return "undo: nothing to undo" }
    return try ordinary("undo \(op.id)") { _ = try store.undo(op.id, actor: "workload") }
  }

  /// Runs the pipeline over the events file under a new input name (a rerun writes new
  /// versions for every user) or the same one (resumes: nothing new).
  mutating func pipeline() throws -> String {
    let rerun = Bool.random(using: &rng)
    let name = rerun ? dir.child("events-\(counter).jsonl") : events
    if rerun { try FileManager.default.copyItem(atPath: events, toPath: name) }
    let coalesce: Coalesce = Bool.random(using: &rng) ? .perBatch : .perEvent
    let run = "pipeline-\(counter)"
    runs.append(run)
    let runner = try PipelineRunner(
      store: store,
      options: PipelineOptions(
        prefix: "p", runID: run, batchSize: 64, coalesce: coalesce, maxVersions: 0))
    // A run the pipeline state cannot rewind for (a later run not rolled back, an undo after
    // the state moved on, records no longer kept) is refused before it writes; the workload
    // then does what the error says, as a user would, and tries again.
    var ways: [String] = []
    for _ in 0..<3 {
      do {
        let report = try runner.run(file: name)
        return "pipeline \(rerun ? "rerun" : "resume") \(coalesce) (\(report.events) events)"
          + (ways.isEmpty ? "" : " after \(ways.joined(separator: ", "))")
      } catch let PipelineError.rewindRefused(_, refused, blocking, _) {
        ways.append(try wayOut(refused, blocking))
      }
    }
    return "pipeline refused after \(ways.joined(separator: ", "))"
  }

  /// The ways out a ``PipelineError/rewindRefused(prefix:runs:blocking:reason:)`` names: roll
  /// back again runs whose rollback was undone, roll back the later runs in the way, or undo
  /// the rollback of a run whose pre-run state is gone.
  mutating func wayOut(_ refused: [String], _ blocking: [String]) throws -> String {
    func live(_ run: String) throws -> Bool { try store.run(run)?.status != .rolledBack }
    var done: [String] = []
    if try refused.allSatisfy(live) {
      for r in refused {
        done.append(try ordinary("rollback \(r) again") { _ = try store.rollback(.run(r)) })
      }
    } else if !blocking.isEmpty {
      for r in try blocking.filter(live) {
        done.append(try ordinary("rollback later \(r)") { _ = try store.rollback(.run(r)) })
      }
    } else {
      for r in refused {
        guard let op = try store.rollbacks(ofRun: r).first(where: { $0.undoneBy == nil }) else {
          continue
        }
        done.append(try ordinary("undo \(op.id)") { _ = try store.undo(op.id, actor: "workload") })
      }
    }
    return done.joined(separator: ", ")
  }

  /// Runs an action that may be refused for ordinary reasons (nothing to roll back, a version
  /// no longer retained, an undo another undo made moot); damage is never one of them.
  func ordinary(_ what: String, _ body: () throws -> Void) throws -> String {
    do {
      try body()
      return what
    } catch let error as FeatureDBError {
      switch error {
      case .corruptRecord, .corruptStore, .damagedStore, .storage: throw error
      default: return "\(what): refused (\(error))"
      }
    }
  }

  /// What is wrong with the store now: verify's problems, a failing export or a failing read
  /// with every page store.
  mutating func check() throws -> [String] {
    let report = try store.verify()
    guard report.isClean else { return report.problems.map(\.description) }
    var problems: [String] = []
    // The workload's features and a few of the pipeline's (reading all of them costs seconds).
    let all = try features + store.features().map(\.name).filter { $0.hasPrefix("p") }.prefix(4)
    let options = ExportOptions(features: all, allowMissingHistory: true)
    do {
      try store.exportSnapshot(to: dir.child("snapshot.csv"), options: options)
      var rows = "entity_id,event_timestamp\n"
      for e in Self.entities { rows += "\(e),\(eventTime())\n" }
      try rows.write(toFile: dir.child("rows.csv"), atomically: true, encoding: .utf8)
      try store.exportPointInTime(
        entityRows: dir.child("rows.csv"), to: dir.child("training.csv"), options: options)
    } catch {
      problems.append("export: \(error)")
    }
    do {
      for f in all {
        for e in Self.entities {
          _ = try store.history(f, e, includeRetracted: true)
          _ = try store.latest(f, e)
        }
      }
      _ = try store.stats()
    } catch {
      problems.append("read with page checks: \(error)")
    }
    return problems
  }
}
