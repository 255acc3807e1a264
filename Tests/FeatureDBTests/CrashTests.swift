import Foundation
import Testing

@testable import FeatureDB

/// The reliability tests that start other processes and load the machine (crash, load, stale
/// readers). They run one after another so they do not compete with each other for the cores;
/// `FDB_LONG=1` selects the long modes (see docs/reliability.md).
@Suite(.serialized) struct ReliabilityTests {}

/// The crash workload of `fdb-test-child crash-write` (Tests/Child/main.swift), as the checker
/// derives it: keep the two in step.
enum CrashWorkload {
  static let base = Timestamp(microseconds: 1_767_225_600_000_000)  // 2026-01-01T00:00:00Z
  static let entities = ["e0", "e1", "e2", "user/ü 3", "x y 4"]
  static let ttlSeconds = 4
  static func eventTime(_ k: Int) -> Timestamp { base + .seconds(Int64(k)) }
  static func embedding(_ k: Int) -> [Float] { (0..<24).map { Float(k) + Float($0) / 4 } }
  static func lineage(_ k: Int) -> Lineage {
    Lineage(
      producer: "crash.child@1.0", run: "run-\(k)", source: "crash-child",
      inputs: k > 1
        ? [.raw("event-\(k)"), .version("crash.log", "b\(k - 1)", 1)] : [.raw("event-\(k)")],
      note: "batch \(k)")
  }
}

extension ReliabilityTests {
  @Suite struct CrashTests {
    /// SIGKILLs of the writer per durability mode (30 by default; 200 with FDB_LONG=1).
    static let kills = environmentInt("FDB_CRASH_KILLS", longMode ? 200 : 30)
    static let importKills = environmentInt("FDB_IMPORT_KILLS", longMode ? 50 : 10)

    /// A writer killed at random moments: after each kill the store reopens with every batch the
    /// child reported committed, the batch in flight wholly there or wholly absent, retention
    /// (pruning, TTL + vacuum) consistent, `verify` clean; and the next child resumes writing.
    @Test(arguments: [Durability.durable, .noSync])
    func aKilledWriterLosesNothingCommittedAndLeavesNothingHalfWritten(_ durability: Durability)
      throws
    {
      let dir = TemporaryDirectory()
      let path = dir.child("store")
      var present = 0  // batches in the store, as the last check found
      var inFlightLanded = 0  // kills after a commit that the child had not yet reported
      for cycle in 0..<Self.kills {
        let child = try ChildProcess(
          productPath("fdb-test-child"),
          ["crash-write", path, durability.rawValue, String(present + 1)],
          stderrPath: dir.child("stderr"))
        defer { child.kill() }  // deinit reaps; this covers an early return
        guard child.readLine(startingWith: "ready") != nil else {
          Issue.record("cycle \(cycle): the writer died before writing: \(child.standardError)")
          return
        }
        pause(milliseconds: Int.random(in: 20...150))
        child.kill()
        child.readToEnd()
        #expect(child.terminatingSignal == SIGKILL, "cycle \(cycle): \(child.standardError)")
        let reported = child.lines.compactMap(Self.committed).max()
        if let reported { #expect(reported >= present + 1) }
        let lastReported = reported ?? present
        let (found, problems) = try Self.check(path, durability, lastReported: lastReported)
        // One issue per broken cycle, and no more cycles on a store already found wrong.
        try #require(
          problems.isEmpty, "\(durability), after kill \(cycle + 1): \(problems.prefix(10))")
        if found == lastReported + 1 { inFlightLanded += 1 }
        present = found
      }
      // Writing resumes after the last kill, and a child that is not killed exits cleanly.
      let child = try ChildProcess(
        productPath("fdb-test-child"),
        ["crash-write", path, durability.rawValue, String(present + 1), "12"],
        stderrPath: dir.child("stderr"))
      child.readToEnd()
      #expect(child.exitCode == 0, "\(child.standardError)")
      #expect(child.lines.last == "committed \(present + 12)")
      let (found, problems) = try Self.check(path, durability, lastReported: present + 12)
      #expect(found == present + 12 && problems.isEmpty, "\(problems.prefix(10))")
      #expect(present > 0, "no batch was ever committed between kills")
      print(
        "crash test (\(durability)): \(Self.kills) kills, \(present) batches, \(inFlightLanded) kills after an unreported commit"
      )
    }

    static func committed(_ line: String) -> Int? {
      line.hasPrefix("committed ") ? Int(line.dropFirst("committed ".count)) : nil
    }

    /// Reopens the store and checks it against the workload. Returns the number of batches in it
    /// and what is wrong (empty when all is well).
    static func check(_ path: String, _ durability: Durability, lastReported: Int) throws -> (
      Int, [String]
    ) {
      var problems: [String] = []
      func expect(_ ok: Bool, _ problem: @autoclosure () -> String) {
        if !ok { problems.append(problem()) }
      }
      func expectThrows(_ expected: FeatureDBError, _ body: () throws -> Void) {
        do {
          try body()
          problems.append("expected \(expected), got a value")
        } catch {
          expect(error as? FeatureDBError == expected, "expected \(expected), got \(error)")
        }
      }
      let db = try FeatureStore(path: path, options: StoreOptions(durability: durability))
      let report = try db.verify()
      expect(report.isClean, "verify: \(report.problems)")
      let p: Int
      do {
        p = Int(try db.latestVersion("crash.int", "e0")?.version ?? 0)
      } catch FeatureDBError.unknownFeature {
        p = 0  // killed before its first batch
      }
      // Every reported batch is there; the one in flight at the kill may be, nothing beyond it.
      expect(
        p == lastReported || p == lastReported + 1,
        "\(p) batches in the store, \(lastReported) reported")
      guard p > 0 else { return (0, problems) }
      try db.read { snap in
        var ttlVersions: [UInt64]?
        for e in CrashWorkload.entities {
          // Pruning: the last 2 (int) and 3 (embedding) batches, whole, with their lineage.
          for (feature, kept) in [("crash.int", 2), ("crash.emb", 3)] {
            let history = try snap.history(feature, e)
            let expected = Array((max(1, p - kept + 1)...p).reversed())
            expect(
              history.map(\.version) == expected.map(UInt64.init),
              "\(feature) \(e): versions \(history.map(\.version))")
            for (v, k) in zip(history, expected) {
              let value: FeatureValue =
                feature == "crash.int" ? .int(Int64(k)) : .embedding(CrashWorkload.embedding(k))
              expect(
                v.value == value,
                "\(feature) \(e) v\(v.version): value \(v.value.map(\.description) ?? "nil")")
              expect(
                v.lineage == CrashWorkload.lineage(k),
                "\(feature) \(e) v\(v.version): lineage \(v.lineage)")
              expect(
                v.eventTime == CrashWorkload.eventTime(k),
                "\(feature) \(e) v\(v.version): event time \(v.eventTime)")
            }
          }
          if p >= 3 {
            expectThrows(.historyPruned(feature: "crash.int", entity: e, removed: p - 2)) {
              _ = try snap.asOf("crash.int", e, eventTime: CrashWorkload.eventTime(p - 2))
            }
          }
          // TTL and vacuum: a contiguous run of versions ending at p; vacuum (at batch K, K ≤ p)
          // removed only versions older than K − 4, so p − 4 … p are there; every entity alike
          // (one vacuum transaction covers them all); what vacuum removed reads as vacuumed.
          let ttl = try snap.history("crash.ttl", e).map(\.version)
          let lowest = ttl.last ?? 0
          expect(
            ttl.first == UInt64(p) && ttl == Array((lowest...UInt64(p)).reversed()),
            "crash.ttl \(e): versions \(ttl)")
          expect(
            lowest <= UInt64(max(1, p - CrashWorkload.ttlSeconds)),
            "crash.ttl \(e): versions \(ttl)")
          if let other = ttlVersions {
            expect(ttl == other, "crash.ttl \(e): versions \(ttl), other entities \(other)")
          }
          ttlVersions = ttl
          let current = try snap.asOf("crash.ttl", e, eventTime: CrashWorkload.eventTime(p))
          expect(
            current == .double(Double(p) + 0.5),
            "crash.ttl \(e) at batch \(p): \(current.map(\.description) ?? "nil")")
          if lowest > 1 {
            expectThrows(
              .historyVacuumed(feature: "crash.ttl", entity: e, removed: Int(lowest) - 1)
            ) {
              _ = try snap.asOf("crash.ttl", e, eventTime: CrashWorkload.eventTime(Int(lowest) - 1))
            }
          }
        }
        // Every batch ever committed left its own log pair: all of 1 … p, nothing after.
        var missing: [Int] = []
        for k in 1...p where try snap.latest("crash.log", "b\(k)", as: Int.self) != k {
          missing.append(k)
        }
        expect(missing.isEmpty, "batches missing from the log: \(missing.prefix(20))")
        expect(try snap.latest("crash.log", "b\(p + 1)") == nil, "batch \(p + 1) is in the log")
      }
      return (p, problems)
    }

    /// `importCSV` killed part-way: one transaction, so after each kill the store holds all of that
    /// import's rows or none of them; an import that reported success is all there.
    @Test func aKilledImportIsAllOrNothing() throws {
      let dir = TemporaryDirectory()
      let path = dir.child("store")
      do {
        let db = try FeatureStore(path: path)
        try db.define(FeatureDefinition("imp.cycle", type: .int))
        try db.define(FeatureDefinition("imp.emb", type: .embedding(dims: 8)))
        try db.define(FeatureDefinition("imp.note", type: .string))
      }
      let rows = 3000
      func writeCSV(_ cycle: Int) throws -> String {
        let file = dir.child("import-\(cycle).csv")
        var text = "entity_id,event_time,imp.cycle,imp.emb,imp.note\n"
        let time = (CrashWorkload.base + .seconds(Int64(cycle))).iso8601
        for r in 0..<rows {
          text +=
            "u\(r),\(time),\(cycle),\"[\(cycle),\(r),0.5,1,2,3,4,5]\",cycle \(cycle) row \(r)\n"
        }
        try text.write(toFile: file, atomically: false, encoding: .utf8)
        return file
      }
      /// Starts an import of `cycle`'s file; returns the child and how long the import took when
      /// `killAfter` is nil.
      func importing(_ cycle: Int, killAfter: Int?) throws -> (ChildProcess, Double) {
        let durability: Durability = cycle.isMultiple(of: 2) ? .durable : .noSync
        let child = try ChildProcess(
          productPath("fdb-test-child"),
          ["import", path, durability.rawValue, try writeCSV(cycle), "import-cycle-\(cycle)"],
          stderrPath: dir.child("stderr"))
        guard child.readLine(startingWith: "importing") != nil else { return (child, 0) }
        let start = Date()
        if let killAfter {
          pause(milliseconds: killAfter)
          child.kill()
        }
        child.readToEnd()
        return (child, Date().timeIntervalSince(start))
      }
      var applied = 0  // the last import that is in the store
      /// Checks that every row holds `applied`'s values; returns how many rows hold `cycle`'s.
      func check(_ cycle: Int, context: String) throws -> Int {
        let db = try FeatureStore(path: path)
        let report = try db.verify()
        #expect(report.isClean, "\(context): \(report.problems)")
        return try db.read { snap in
          var counts: [Int?: Int] = [:]
          for r in 0..<rows {
            counts[try snap.latest("imp.cycle", "u\(r)", as: Int.self), default: 0] += 1
          }
          let landed = counts[cycle] ?? 0
          let expected = landed > 0 ? cycle : (applied == 0 ? nil : applied)
          #expect(counts == [expected: rows], "\(context): rows by cycle \(counts)")
          if landed > 0 {
            let v = try snap.latestVersion("imp.emb", "u\(rows - 1)")
            #expect(v?.value == .embedding([Float(cycle), Float(rows - 1), 0.5, 1, 2, 3, 4, 5]))
            #expect(
              v?.lineage
                == Lineage(
                  producer: "crash.import@1", run: "import-cycle-\(cycle)",
                  source: "import-\(cycle).csv:\(rows + 1)"))
            #expect(try snap.latest("imp.note", "u0", as: String.self) == "cycle \(cycle) row 0")
          }
          return landed
        }
      }

      // An uninterrupted import first: it sets the range of kill moments.
      let (first, duration) = try importing(1, killAfter: nil)
      #expect(first.exitCode == 0, "\(first.standardError)")
      #expect(first.lines.last == "imported \(rows)")
      #expect(try check(1, context: "import 1") == rows)
      applied = 1
      let longest = max(40, Int(duration * 1300))  // ms: some kills land after the commit
      var interrupted = 0
      for cycle in 2..<(2 + Self.importKills) {
        let (child, _) = try importing(cycle, killAfter: Int.random(in: 20...longest))
        let finished = child.lines.contains("imported \(rows)")
        // Never an error exit: the child finished, or the kill stopped it (also possibly just
        // after it reported success, before it exited).
        #expect(
          child.exitCode == 0 || child.terminatingSignal == SIGKILL,
          "cycle \(cycle): \(child.standardError)")
        let landed = try check(cycle, context: "import \(cycle)")
        if finished { #expect(landed == rows, "import \(cycle) reported success") }
        if landed == rows { applied = cycle } else { interrupted += 1 }
      }
      // And importing works after the kills.
      let last = 2 + Self.importKills
      let (child, _) = try importing(last, killAfter: nil)
      #expect(child.exitCode == 0, "\(child.standardError)")
      #expect(try check(last, context: "import \(last)") == rows)
      print(
        "import crash test: \(Self.importKills) kills, \(interrupted) imports cut off, \(Self.importKills - interrupted) landed"
      )
    }
  }
}
