// A second process for the multi-process, crash and load tests. Modes:
//
//   write PATH N                     writes N batches, prints "committed K" after each
//   read PATH FEATURE ENTITY         prints the latest value
//   crash-write PATH DURABILITY FIRST [COUNT]
//                                    the crash workload (see CrashWorkload): batches FIRST, FIRST+1 …
//                                    (COUNT of them, else until killed), "committed K" after each
//   import PATH DURABILITY CSV RUN   importCSV of CSV with run id RUN: "importing", then "imported ROWS"
//   load-write PATH SECONDS          the load workload's writer (see LoadWorkload) for SECONDS
//   load-read PATH SECONDS           a load reader checking the invariant for SECONDS
//   hold-read PATH FEATURE ENTITY    opens a read transaction, prints "holding VALUE", and keeps it
//                                    open until stdin closes (tests kill it with SIGKILL)
//   rollback PATH RUN                prints "rolling back", rolls back run RUN, prints "done N"
//   watch-run PATH FEATURE N         reads entities e0 … e(N−1) of FEATURE in one snapshot, again
//                                    and again until stdin closes; prints "all" or "none" when the
//                                    snapshot saw all or none of them, "half K" otherwise
//
// Every line goes to stdout through FileHandle.standardOutput.write (unbuffered: stdout is a pipe
// and a killed process must not lose a line it reported). Errors go to stderr, exit status 1.
// Modes that run until killed also stop when their parent dies, so a crashed test leaves nothing.
import FeatureDB
import Foundation
import Synchronization

let args = CommandLine.arguments
func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(1)
}
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
func durability(_ name: String) -> Durability {
  guard let d = Durability(rawValue: name) else { fail("unknown durability \(name)") }
  return d
}
let parent = getppid()
/// True once the process that started this one has gone (this one was re-parented).
func orphaned() -> Bool { getppid() != parent }

/// Monotonic seconds.
func seconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// The crash test's workload. The checker (`CrashTests.swift`) derives the same values: keep the
/// two in step.
///
/// Batch K writes, with event time `base + K s` and lineage (producer, run `run-K`, source, raw input
/// `event-K`, the previous batch's log version, a note):
/// - for every entity: `crash.int` = K (maxVersions 2: pruning on every batch), `crash.emb` = 24
///   floats K + i/4 (stored out of line; maxVersions 3), `crash.ttl` = K + 0.5 (ttl 4 s, unlimited
///   versions: vacuum removes them);
/// - `crash.log` for entity `bK` = K: one pair per batch, so every batch ever committed stays
///   visible.
/// Every (feature, entity) pair gets one version per batch, so version numbers equal batch numbers.
/// After every 5th batch the writer vacuums at `base + K s`, removing `crash.ttl` versions older
/// than K − 4.
enum CrashWorkload {
  static let base = Timestamp(microseconds: 1_767_225_600_000_000)  // 2026-01-01T00:00:00Z
  static let entities = ["e0", "e1", "e2", "user/ü 3", "x y 4"]
  static let definitions = [
    FeatureDefinition("crash.int", type: .int, maxVersions: 2),
    FeatureDefinition("crash.emb", type: .embedding(dims: 24), maxVersions: 3),
    FeatureDefinition("crash.ttl", type: .double, maxVersions: 0, ttl: .seconds(4)),
    FeatureDefinition("crash.log", type: .int, maxVersions: 1),
  ]
  static func embedding(_ k: Int) -> [Float] { (0..<24).map { Float(k) + Float($0) / 4 } }
  static func lineage(_ k: Int) -> Lineage {
    Lineage(
      producer: "crash.child@1.0", run: "run-\(k)", source: "crash-child",
      inputs: k > 1
        ? [.raw("event-\(k)"), .version("crash.log", "b\(k - 1)", 1)] : [.raw("event-\(k)")],
      note: "batch \(k)")
  }
}

/// The load test's workload: batch K writes, for every entity `l0` … `l{E-1}`, `load.f0` … `load.f6`
/// = K and `load.f7` = −7·K. A consistent snapshot therefore shows one K everywhere and every
/// entity's features sum to 0; half a batch would break both.
enum LoadWorkload {
  static let entityCount = 200
  static let features = (0..<8).map { "load.f\($0)" }
  static func value(_ k: Int, feature f: Int) -> Int { f == 7 ? -7 * k : k }
}

do {
  guard args.count >= 3 else { fail("usage: fdb-test-child MODE PATH …") }
  let path = args[2]
  switch args[1] {
  case "write":
    let store = try FeatureStore(path: path)
    let batches = Int(args[3]) ?? 10
    try store.define(FeatureDefinition("child.counter", type: .int))
    for k in 1...batches {
      try store.write { batch in
        for e in 0..<10 { batch.put("child.counter", "e\(e)", k) }
      }
      say("committed \(k)")
    }

  case "write-big":
    // Writes BYTES of incompressible values in 100 KB pieces, so data.mdb outgrows a small map
    // the parent opened with (its next transaction then sees MDB_MAP_RESIZED).
    let store = try FeatureStore(path: path)
    try store.define(FeatureDefinition("child.big", type: .bytes, maxVersions: 0))
    var rng = SystemRandomNumberGenerator()
    for k in 0..<max(1, (Int(args[3]) ?? 1_000_000) / 100_000) {
      try store.put(
        "child.big", "b\(k)", (0..<100_000).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
    say("wrote")

  case "read":
    let store = try FeatureStore(path: path)
    let v = try store.latest(args[3], args[4])
    print(v.map(\.description) ?? "nil")

  case "crash-write":
    guard args.count >= 5, let first = Int(args[4]), first >= 1 else {
      fail("usage: crash-write PATH DURABILITY FIRST [COUNT]")
    }
    let count = args.count > 5 ? Int(args[5]) : nil
    let store = try FeatureStore(path: path, options: StoreOptions(durability: durability(args[3])))
    for d in CrashWorkload.definitions { try store.define(d) }
    say("ready")
    var k = first
    while count.map({ k < first + $0 }) ?? !orphaned() {
      let refs = try store.write { batch in
        batch.eventTime = CrashWorkload.base + .seconds(Int64(k))
        batch.lineage = CrashWorkload.lineage(k)
        for e in CrashWorkload.entities {
          batch.put("crash.int", e, k)
          batch.put("crash.emb", e, CrashWorkload.embedding(k))
          batch.put("crash.ttl", e, Double(k) + 0.5)
        }
        batch.put("crash.log", "b\(k)", k)
      }
      // Resuming at the wrong batch would break "version numbers equal batch numbers".
      guard refs.dropLast().allSatisfy({ $0.version == UInt64(k) }), refs.last?.version == 1 else {
        fail("batch \(k) got versions \(refs.map(\.version))")
      }
      say("committed \(k)")
      if k % 5 == 0 { try store.vacuum(now: CrashWorkload.base + .seconds(Int64(k))) }
      k += 1
    }

  case "import":
    guard args.count == 6 else { fail("usage: import PATH DURABILITY CSV RUN") }
    let store = try FeatureStore(path: path, options: StoreOptions(durability: durability(args[3])))
    say("importing")
    let summary = try store.importCSV(
      args[4],
      options: ImportOptions(
        timestampColumn: "event_time", run: args[5], producer: "crash.import@1"))
    say("imported \(summary.rows)")

  case "load-write":
    guard args.count == 4, let duration = Double(args[3]) else {
      fail("usage: load-write PATH SECONDS")
    }
    let store = try FeatureStore(path: path)
    var k = (try store.latest("load.f0", "l0", as: Int.self) ?? 0) + 1
    let entities = (0..<LoadWorkload.entityCount).map { "l\($0)" }
    say("ready")
    let end = seconds() + duration
    var batches = 0
    var versions = 0
    while seconds() < end && !orphaned() {
      let n = try store.write { batch in
        batch.lineage = Lineage(producer: "load.writer@1", run: "load")
        for e in entities {
          for (f, name) in LoadWorkload.features.enumerated() {
            batch.put(name, e, LoadWorkload.value(k, feature: f))
          }
        }
      }.count
      batches += 1
      versions += n
      k += 1
    }
    say("done batches=\(batches) versions=\(versions) last=\(k - 1)")

  case "load-read":
    guard args.count == 4, let duration = Double(args[3]) else {
      fail("usage: load-read PATH SECONDS")
    }
    let store = try FeatureStore(path: path)
    let entities = (0..<LoadWorkload.entityCount).map { "l\($0)" }
    let window = 16
    say("ready")
    var rng = SystemRandomNumberGenerator()
    let end = seconds() + duration
    var reads = 0
    var snapshots = 0
    var violations = 0
    var errors = 0
    var highest = 0
    while seconds() < end && !orphaned() {
      let start = Int.random(in: 0...(entities.count - window), using: &rng)
      do {
        // One snapshot: every value must come from the same batch, each entity summing to 0.
        let (k, ok, n) = try store.read { snap -> (Int, Bool, Int) in
          var k: Int?
          var ok = true
          var n = 0
          for e in entities[start..<start + window] {
            var sum = 0
            for (f, name) in LoadWorkload.features.enumerated() {
              guard let v = try snap.latest(name, e, as: Int.self) else {
                ok = false
                continue
              }
              n += 1
              sum += v
              if f != 7 {
                if k == nil { k = v }
                if v != k { ok = false }
              }
            }
            if sum != 0 { ok = false }
          }
          return (k ?? -1, ok, n)
        }
        reads += n
        snapshots += 1
        // Snapshots of one process never go back in time.
        if !ok || k < highest {
          violations += 1
          if violations <= 3 {
            FileHandle.standardError.write(Data("violation at batch \(k) (seen \(highest))\n".utf8))
          }
        }
        highest = max(highest, k)
      } catch {
        errors += 1
        if errors <= 3 { FileHandle.standardError.write(Data("read error: \(error)\n".utf8)) }
      }
    }
    say(
      "done reads=\(reads) snapshots=\(snapshots) violations=\(violations) errors=\(errors) highest=\(highest)"
    )

  case "hold-read":
    guard args.count == 5 else { fail("usage: hold-read PATH FEATURE ENTITY") }
    let store = try FeatureStore(path: path)
    try store.read { snap in
      let v = try snap.latest(args[3], args[4])
      say("holding \(v.map(\.description) ?? "nil")")
      // Keeps the read transaction open until stdin closes (or the process is killed).
      while readLine() != nil {}
    }
    say("released")

  case "rollback":
    guard args.count == 4 else { fail("usage: rollback PATH RUN") }
    let store = try FeatureStore(path: path)
    say("rolling back")
    let result = try store.rollback(.run(args[3]))
    say("done \(result.retracted)")

  case "watch-run":
    guard args.count == 5, let n = Int(args[4]) else { fail("usage: watch-run PATH FEATURE N") }
    let store = try FeatureStore(path: path, options: StoreOptions(readOnly: true))
    let stop = Mutex(false)
    Thread {
      while readLine() != nil {}
      stop.withLock { $0 = true }
    }.start()
    var last = ""
    while !stop.withLock({ $0 }) {
      let seen = try store.read { snap in
        try (0..<n).count { try snap.latest(args[3], "e\($0)") != nil }
      }
      let state = seen == n ? "all" : seen == 0 ? "none" : "half \(seen)"
      if state != last {
        say(state)
        last = state
      }
    }

  default:
    fail("unknown mode \(args[1])")
  }
} catch {
  fail("error: \(error)")
}
