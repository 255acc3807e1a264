import CLMDB
import Foundation
import Testing

@testable import FeatureDB

/// The reader lock table as `mdb_reader_list` prints it: one (pid, txnid) per occupied slot;
/// txnid is nil for a slot that holds no snapshot.
func readerSlots(_ env: Environment) -> [(pid: Int32, txnid: UInt64?)] {
  final class Text { var value = "" }
  let text = Text()
  mdb_reader_list(
    env.handle,
    { message, context in
      Unmanaged<Text>.fromOpaque(context!).takeUnretainedValue().value += String(cString: message!)
      return 0
    }, Unmanaged.passUnretained(text).toOpaque())
  return text.value.split(separator: "\n").compactMap { line in
    let fields = line.split(separator: " ")
    guard fields.count == 3, let pid = Int32(fields[0]) else { return nil }  // the header, "(no active readers)"
    return (pid, UInt64(fields[2]))
  }
}

/// Fields `name=value` of a child's summary line.
func summaryFields(_ line: String?) -> [String: Int] {
  var fields: [String: Int] = [:]
  for part in (line ?? "").split(separator: " ") {
    let kv = part.split(separator: "=")
    if kv.count == 2, let v = Int(kv[1]) { fields[String(kv[0])] = v }
  }
  return fields
}

extension ReliabilityTests {
  @Suite struct LoadTests {
    static let features = (0..<8).map { "load.f\($0)" }

    /// One writer and four readers, each its own process, for a bounded time (20 s; 120 s with
    /// FDB_LONG=1; FDB_LOAD_SECONDS overrides). Every batch keeps an invariant that half a batch
    /// would break (one batch number across all values, each entity's values summing to 0); no
    /// reader ever sees it broken or gets an error. Halfway, one reader is killed with SIGKILL (it
    /// is almost always inside a read transaction) and replaced; the others are unaffected and the
    /// dead reader's slot does not survive. Functional only: throughput is measured by
    /// `fdb-bench --scenario multiprocess` in a release build.
    @Test func oneWriterFourReaderProcesses() throws {
      let seconds = environmentInt("FDB_LOAD_SECONDS", longMode ? 120 : 20)
      let dir = TemporaryDirectory()
      let path = dir.child("store")
      let db = try FeatureStore(path: path)
      for f in Self.features { try db.define(FeatureDefinition(f, type: .int, maxVersions: 3)) }
      try db.write { batch in  // batch 0: every value 0
        for e in 0..<200 { for f in Self.features { batch.put(f, "l\(e)", 0) } }
      }
      let child = productPath("fdb-test-child")
      func start(_ mode: String, _ name: String, _ duration: Int) throws -> ChildProcess {
        let p = try ChildProcess(
          child, [mode, path, String(duration)], stderrPath: dir.child("stderr-\(name)"))
        #expect(p.readLine() == "ready", "\(name): \(p.standardError)")
        return p
      }
      let writer = try start("load-write", "writer", seconds)
      var readers = try (0..<4).map { try start("load-read", "reader\($0)", seconds) }
      defer { (readers + [writer]).forEach { $0.kill() } }

      pause(milliseconds: seconds * 500)
      let victim = readers[0]
      victim.kill()
      victim.readToEnd()
      #expect(victim.terminatingSignal == SIGKILL)
      readers[0] = try start("load-read", "replacement", seconds - seconds / 2)

      var highest = 0
      var reads = 0
      var snapshots = 0
      for (i, reader) in readers.enumerated() {
        let summary = summaryFields(reader.readLine(startingWith: "done"))
        #expect(reader.exitCode == 0, "reader \(i): \(reader.standardError)")
        #expect(summary["violations"] == 0, "reader \(i): \(reader.standardError)")
        #expect(summary["errors"] == 0, "reader \(i): \(reader.standardError)")
        #expect((summary["reads"] ?? 0) > 0 && (summary["snapshots"] ?? 0) > 0, "reader \(i)")
        highest = max(highest, summary["highest"] ?? 0)
        reads += summary["reads"] ?? 0
        snapshots += summary["snapshots"] ?? 0
      }
      let written = summaryFields(writer.readLine(startingWith: "done"))
      #expect(writer.exitCode == 0, "writer: \(writer.standardError)")
      let last = written["last"] ?? -1
      #expect(last > 0 && written["versions"] == last * 200 * 8)
      #expect(highest > 0 && highest <= last, "readers saw the writer's batches")
      // After the load: the last batch whole, the store clean, the killed reader's slot gone
      // (the replacement's open cleared it; clearing again finds nothing stale).
      let row: [Int?] = try db.read { s in
        try (0..<200).flatMap { e in
          try Self.features.map { try s.latest($0, "l\(e)", as: Int.self) }
        }
      }
      let expected: [Int?] = (0..<200).flatMap { _ in
        (0..<8).map { f -> Int? in f == 7 ? -7 * last : last }
      }
      #expect(row == expected)
      #expect(try db.verify().isClean)
      #expect(db.clearStaleReaders() == 0)
      #expect(!readerSlots(db.env).contains { $0.pid == victim.pid })
      print(
        "load test (\(seconds) s, debug build): \(last) batches, \(written["versions"] ?? 0) versions; readers \(reads) reads in \(snapshots) snapshots, no violation"
      )
    }

    /// A reader killed with SIGKILL while it holds a read transaction leaves a stale slot that
    /// pins its snapshot's pages exactly like a live reader; `clearStaleReaders()` (and every
    /// open of the store, through `mdb_reader_check`) reclaims it, after which freed pages are
    /// reused again.
    @Test func aKilledReadersSlotIsReclaimed() throws {
      let dir = TemporaryDirectory()
      let path = dir.child("store")
      let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
      try db.define(FeatureDefinition("x", type: .int))
      try db.define(FeatureDefinition("blob", type: .bytes, maxVersions: 1))
      try db.put("x", "e", 1)
      let child = productPath("fdb-test-child")

      let holder = try ChildProcess(
        child, ["hold-read", path, "x", "e"], stderrPath: dir.child("stderr-1"))
      defer { holder.kill() }
      #expect(holder.readLine() == "holding 1", "\(holder.standardError)")
      let slot = readerSlots(db.env).first { $0.pid == holder.pid }
      #expect(slot != nil && slot?.txnid != nil, "the holder's slot holds a snapshot")
      holder.kill()
      holder.readToEnd()
      #expect(holder.terminatingSignal == SIGKILL)
      // LMDB does not notice a dead reader by itself: the slot stays and keeps its snapshot.
      #expect(readerSlots(db.env).first { $0.pid == holder.pid }?.txnid == slot?.txnid)

      // Rewriting a 20 KB value (overflow pages, the old ones freed each time) must grow the file
      // while the stale slot pins the snapshot, and reuse pages once it is cleared.
      var fill: UInt8 = 0
      func rewrites(_ n: Int) throws -> Int {
        let before = db.env.info().lastPage
        for _ in 0..<n {
          fill &+= 1
          try db.put("blob", "b", [UInt8](repeating: fill, count: 20_000))
        }
        return db.env.info().lastPage - before
      }
      let pinned = try rewrites(40)
      #expect(db.clearStaleReaders() == 1)
      #expect(!readerSlots(db.env).contains { $0.pid == holder.pid })
      _ = try rewrites(5)  // the first commits after clearing hand the backlog to the free list
      let reclaimed = try rewrites(40)
      #expect(
        pinned >= 40 * 5, "a pinned snapshot keeps freed pages: the file grew by \(pinned) pages")
      #expect(
        reclaimed * 4 < pinned,
        "after clearing, pages are reused: \(reclaimed) new pages vs \(pinned)")
      print(
        "stale reader: 40 rewrites grew the file by \(pinned) pages while pinned, \(reclaimed) after clearing"
      )

      // Opening the store clears stale slots too: another process's open reclaims this one.
      let holder2 = try ChildProcess(
        child, ["hold-read", path, "x", "e"], stderrPath: dir.child("stderr-2"))
      defer { holder2.kill() }
      #expect(holder2.readLine() == "holding 1", "\(holder2.standardError)")
      holder2.kill()
      holder2.readToEnd()
      #expect(readerSlots(db.env).contains { $0.pid == holder2.pid })
      let (status, out, err) = try run(child, ["read", path, "x", "e"])
      #expect(status == 0 && out == "1\n", "\(err)")
      #expect(!readerSlots(db.env).contains { $0.pid == holder2.pid })
      #expect(db.clearStaleReaders() == 0)

      // A holder that is not killed ends its transaction when told to and exits cleanly.
      let holder3 = try ChildProcess(
        child, ["hold-read", path, "x", "e"], stderrPath: dir.child("stderr-3"))
      defer { holder3.kill() }
      #expect(holder3.readLine() == "holding 1")
      holder3.closeStdin()
      #expect(holder3.readLine() == "released")
      #expect(holder3.exitCode == 0, "\(holder3.standardError)")
      #expect(!readerSlots(db.env).contains { $0.pid == holder3.pid })
    }
  }
}
