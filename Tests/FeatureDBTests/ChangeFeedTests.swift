import Foundation
import Testing

@testable import FeatureDB

/// The change feed (docs/scale-out.md, *Following a store*): every committed change once, in
/// commit order, enough to rebuild the store's values; trimmed cursors are an error.
@Suite struct ChangeFeedTests {
  /// Every change after `after`, read in pages of `page`.
  static func all(_ db: FeatureStore, after: UInt64 = 0, page: Int = 1_000) throws -> [Change] {
    var out: [Change] = []
    var cursor = after
    while true {
      let p = try db.changes(after: cursor, limit: page)
      out += p.changes
      if p.changes.isEmpty { return out }
      cursor = p.next
    }
  }

  @Test func everyKindOfChangeIsRecordedWithWhatItChanged() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("f.x", type: .double, maxVersions: 2))
    try db.define(FeatureDefinition("f.e", type: .embedding(dims: 64), maxVersions: 0))
    try db.define(FeatureDefinition("f.t", type: .int, ttl: .hours(1)))
    try db.put("f.x", "u1", 1.5, eventTime: t(1), lineage: Lineage(producer: "p@1", run: "r1"))
    try db.put(
      "f.x", "u1", 2.5, eventTime: t(2),
      lineage: Lineage(run: "r2", source: "s.csv", inputs: [.raw("evt-9")], note: "n"))
    try db.delete("f.x", "u1", eventTime: t(3))  // the third version: version 1 is pruned
    let embedding = (0..<64).map { Float($0) / 7 }
    try db.put("f.e", "u2", .embedding(embedding), eventTime: t(1))
    try db.put("f.t", "u3", 7, eventTime: t(1))
    let rollback = try db.rollback(.toVersion(feature: "f.x", entity: "u1", version: 2))
    let undo = try db.undo(rollback.operation!.id)
    #expect(try db.vacuum().removed == 1)
    try db.updateRetention("f.x", maxVersions: 1)
    #expect(try db.prune("f.x").pruned == 1)

    let changes = try Self.all(db)
    #expect(changes.map(\.sequence) == Array(1...UInt64(changes.count)))
    let kinds = changes.map {
      "\($0.kind.rawValue) \($0.feature) \($0.entity ?? "-")@\($0.version ?? 0)"
    }
    #expect(
      kinds == [
        "defined f.x -@0", "defined f.e -@0", "defined f.t -@0",
        "written f.x u1@1", "written f.x u1@2", "deleted f.x u1@3", "pruned f.x u1@1",
        "written f.e u2@1", "written f.t u3@1",
        "retracted f.x u1@3", "restored f.x u1@3",
        // The vacuum horizon is part of the definition: vacuum changes it.
        "expired f.t u3@1", "defined f.t -@0", "defined f.x -@0", "pruned f.x u1@2",
      ])
    let second = changes[4]
    #expect(second.value == .double(2.5))
    #expect(second.eventTime == t(2))
    #expect(
      second.lineage == Lineage(run: "r2", source: "s.csv", inputs: [.raw("evt-9")], note: "n"))
    #expect(changes[3].lineage == Lineage(producer: "p@1", run: "r1"))
    #expect(changes[5].value == nil && changes[5].eventTime == t(3))
    #expect(changes[7].value == .embedding(embedding))
    #expect(changes[9].operation == rollback.operation!.id && changes[9].undoes == nil)
    #expect(changes[10].operation == undo.id && changes[10].undoes == rollback.operation!.id)
    #expect(changes[13].definition?.maxVersions == 1)
    // A version's record carries its write time; the others their transaction's.
    let written = try db.history("f.e", "u2")[0]
    #expect(changes[7].time == written.writeTime)
    #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.time <= $1.time })
    // Codable: a consumer can store records as JSON and read them back.
    let json = try JSONEncoder().encode(changes)
    #expect(try JSONDecoder().decode([Change].self, from: json) == changes)
  }

  @Test func pagesFiltersAndChunksOfALargeTransaction() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("f.a", type: .int))
    try db.define(FeatureDefinition("f.b", type: .int))
    // 10,000 writes in one transaction: three chunks of at most 4,096 records (after the two
    // definitions' chunks).
    try db.write { batch in
      for i in 0..<5_000 {
        batch.put("f.a", "e\(i)", i)
        batch.put("f.b", "e\(i)", -i)
      }
    }
    #expect(try db.lastChange() == 10_002)
    #expect(try db.read { try $0.store.tables.changes!.count($0) } == 5)
    var cursor: UInt64 = 0
    var seen: [Change] = []
    while true {
      let page = try db.changes(after: cursor, limit: 777)
      #expect(page.last == 10_002)
      guard !page.changes.isEmpty else { break }
      #expect(page.changes.first!.sequence == cursor + 1)
      seen += page.changes
      cursor = page.next
    }
    #expect(seen.map(\.sequence) == Array(1...10_002))
    #expect(Set(seen.dropFirst(2).map(\.entity)).count == 5_000)
    // A filter skips the other feature's records, and its cursor moves over them too.
    let only = try db.changes(after: 4_000, limit: 10, features: ["f.b"])
    #expect(only.changes.allSatisfy { $0.feature == "f.b" })
    #expect(only.changes.count == 10 && only.next == only.changes.last!.sequence)
    expectError(.unknownFeature("f.z")) { _ = try db.changes(after: 0, features: ["f.z"]) }
  }

  @Test func aCursorBeyondTheFeedOrBehindTheTrimIsAnError() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("f.a", type: .int))
    for i in 0..<5 { try db.put("f.a", "u", i) }  // changes 2…6
    #expect(try db.changes(after: 6).changes.isEmpty)
    #expect(
      thrownError { _ = try db.changes(after: 7) }
        == .invalidArgument(
          "change cursor 7 is beyond the last change 6: it is not from this store"))
    #expect(try db.trimChanges(before: 4) == 3)
    expectError(.changesTrimmed(after: 2, oldest: 4)) { _ = try db.changes(after: 2) }
    #expect(try db.changes(after: 3).changes.map(\.sequence) == [4, 5, 6])
    #expect(try db.trimChanges(before: 2) == 0)  // already gone
    #expect(
      thrownError { _ = try db.trimChanges(before: 8) }
        == .invalidArgument(
          "cannot trim before change 8: the last change is 6"))
    #expect(try db.trimChanges(before: 7) == 3)
    #expect(try db.changes(after: 6).changes.isEmpty)
    try db.put("f.a", "u", 9)
    #expect(try db.changes(after: 6).changes.map(\.sequence) == [7])
  }

  @Test func retentionTrimsOldChunksAsWritesCommit() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    #expect(try db.changeRetention() == .days(7))
    try db.define(FeatureDefinition("f.a", type: .int, maxVersions: 0))
    for i in 0..<20 { try db.put("f.a", "u", i) }
    try db.setChangeRetention(nil)
    #expect(try db.changeRetention() == nil)
    try db.put("f.a", "u", 20)
    let kept = try db.changes(after: 0, limit: 100)
    #expect(kept.changes.count == 22, "\(kept.changes.map(\.sequence)) last \(kept.last)")
    try db.setChangeRetention(TimeSpan(microseconds: 1))
    usleep(2_000)
    try db.put("f.a", "u", 21)  // trims at most 8 old chunks: changes 1…8
    expectError(.changesTrimmed(after: 0, oldest: 9)) { _ = try db.changes(after: 0) }
    #expect(try db.changes(after: 8).changes.first?.sequence == 9)
    for i in 0..<3 { try db.put("f.a", "u", 30 + i) }
    #expect(throws: FeatureDBError.self) { try db.changes(after: 8) }
    #expect(
      thrownError { try db.setChangeRetention(.seconds(0)) }
        == .invalidArgument(
          "change retention must be positive, got 0d"))
  }

  @Test func aConsumerRebuildsTheStoreFromTheFeedAlone() throws {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("ChangeFeedTests seed \(seed)")
    let (db, _dir) = try makeStore()
    _ = _dir
    var workload = try FeedWorkload(db, seed: seed)
    var replica = FeedReplica()
    for round in 0..<6 {
      for _ in 0..<60 { try workload.step() }
      // Consumers read at their own pace: sometimes in small pages.
      var cursor = replica.last
      while true {
        let page = try db.changes(after: cursor, limit: round.isMultiple(of: 2) ? 7 : 1_000)
        for c in page.changes { replica.apply(c) }
        if page.changes.isEmpty { break }
        cursor = page.next
      }
      try replica.expectSame(
        as: db, features: FeedWorkload.features, entities: FeedWorkload.entities)
    }
  }

  @Test func aFollowerSeesEveryChangeOnceWhileThisAndAnotherProcessWrite() async throws {
    var (workload, dir) = try FeedWorkload.inNewStore("follower")
    let (db, path) = (workload.db, dir.child("s"))
    let follower = Task {
      var replica = FeedReplica()
      for try await change in db.follow(after: 0, pollInterval: .milliseconds(2)) {
        replica.apply(change)
        if change.kind == .written, change.feature == "m.b", change.entity == "stop" { break }
      }
      return replica
    }
    let child = Process()
    child.executableURL = URL(fileURLWithPath: productPath("fdb-test-child"))
    child.arguments = ["write", path, "100"]
    child.standardOutput = FileHandle.nullDevice
    try child.run()
    for _ in 0..<300 { try workload.step() }
    child.waitUntilExit()
    #expect(child.terminationStatus == 0)
    try await db.put("m.b", "stop", 0)
    let replica = try await follower.value
    #expect(replica.last == (try db.lastChange()))
    try replica.expectSame(
      as: db, features: FeedWorkload.features + ["child.counter"],
      entities: FeedWorkload.entities + (0..<10).map { "e\($0)" })
    let counters = replica.pairs.filter { $0.key.hasPrefix("child.counter|") }
    #expect(counters.count == 10)
  }

  /// A change as `fdb changes --json` prints it, read back (the workload's features are ints
  /// and doubles).
  static func change(fromJSON o: [String: Any]) throws -> Change {
    let kind = try #require(Change.Kind(rawValue: o["kind"] as? String ?? ""))
    var c = Change(
      sequence: (o["sequence"] as! NSNumber).uint64Value, kind: kind,
      time: try #require(Timestamp(iso8601: o["time"] as! String)),
      feature: o["feature"] as! String, entity: o["entity"] as? String,
      version: (o["version"] as? NSNumber)?.uint64Value)
    c.eventTime = (o["eventTime"] as? String).flatMap(Timestamp.init(iso8601:))
    if let n = o["value"] as? NSNumber {
      c.value =
        ["m.b", "child.counter"].contains(c.feature) ? .int(n.int64Value) : .double(n.doubleValue)
    }
    if kind == .defined {
      var d = FeatureDefinition(c.feature, type: .int)
      d.ttl = (o["ttl"] as? String).flatMap(TimeSpan.init(parsing:))
      c.definition = d
    }
    return c
  }

  @Test func fdbChangesFollowSeesEveryChangeWhileWritersRollbacksAndVacuumsRun() throws {
    var (workload, dir) = try FeedWorkload.inNewStore("fdb changes --follow")
    let (db, path) = (workload.db, dir.child("s"))
    let follower = Process()
    follower.executableURL = URL(fileURLWithPath: productPath("fdb"))
    follower.arguments = ["changes", "--db", path, "--after", "0", "--follow", "--json"]
    let out = Pipe()
    follower.standardOutput = out
    try follower.run()
    for _ in 0..<250 { try workload.step() }
    let last = try db.lastChange()
    // Read lines until the follower printed the last change, then stop it.
    var replica = FeedReplica()
    var buffer = Data()
    let fd = out.fileHandleForReading.fileDescriptor
    var bytes = [UInt8](repeating: 0, count: 1 << 16)
    while replica.last < last {
      // read(2) again on EINTR (FileHandle.availableData traps on it).
      let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0, errno == EINTR { continue }
      if n <= 0 { break }
      buffer += bytes[0..<n]
      while let newline = buffer.firstIndex(of: 10) {
        let line = buffer[buffer.startIndex..<newline]
        buffer = Data(buffer[(newline + 1)...])
        let object = try JSONSerialization.jsonObject(with: line) as! [String: Any]
        replica.apply(try Self.change(fromJSON: object))
      }
    }
    // SIGKILL: a child of the test runner may inherit a signal mask that blocks SIGTERM.
    kill(follower.processIdentifier, SIGKILL)
    follower.waitUntilExit()
    #expect(replica.last == last)
    try replica.expectSame(
      as: db, features: FeedWorkload.features, entities: FeedWorkload.entities)
  }

  @Test func valuesStoredOutOfLineAreReferencedNotCopied() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("f.e", type: .embedding(dims: 64), maxVersions: 1))
    let first = (0..<64).map { Float($0) }
    try db.put("f.e", "u", .embedding(first))
    #expect(try db.changes(after: 1).changes.first?.value == .embedding(first))
    try db.put("f.e", "u", .embedding(first.map { -$0 }))  // prunes version 1
    let changes = try db.changes(after: 1).changes
    #expect(changes.map(\.kind) == [.written, .written, .pruned])
    #expect(changes[0].value == nil && changes[0].valueRemoved)
    #expect(changes[1].value == .embedding(first.map { -$0 }) && !changes[1].valueRemoved)
    // The feed holds ids, times and inline values only: far less than the 256-byte vectors.
    let feedBytes = try db.read { snap in
      var total = 0
      let cursor = try Cursor(snap.store.tables.changes!, snap)
      var entry = try cursor.first()
      while let (_, value) = entry {
        total += value.count
        entry = try cursor.next()
      }
      return total
    }
    #expect(feedBytes < 200)
  }

  @Test func verifyChecksTheFeed() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("f.a", type: .int))
    for i in 0..<4 { try db.put("f.a", "u", i) }  // changes 1…5, one chunk each
    #expect(try db.verify().isClean)
    try db.env.write { txn in _ = try db.tables.changes!.delete(txn, key: ChangeChunk.key(3)) }
    #expect(
      try db.verify().problems.map(\.description) == [
        "changes: chunk 4: follows a chunk that ends at 2"
      ])
    #expect(
      thrownError { _ = try db.changes(after: 1) }
        == .corruptStore(
          table: "changes", detail: "chunk 4 follows a chunk ending at 2"))
    // The last chunks gone: the page stops short of the last change.
    try db.env.write { txn in
      _ = try db.tables.changes!.delete(txn, key: ChangeChunk.key(4))
      _ = try db.tables.changes!.delete(txn, key: ChangeChunk.key(5))
    }
    #expect(
      thrownError { _ = try db.changes(after: 1) }
        == .corruptStore(
          table: "changes", detail: "changes 3…5 are missing"))
    #expect(
      try db.verify().problems.map(\.description) == [
        "changes: last chunk: ends at change 2; meta last_change is 5"
      ])
    try db.env.write { txn in
      try db.tables.changes!.put(txn, key: ChangeChunk.key(3), value: [0, 3, 0, 9])
    }
    let problems = try db.verify().problems.map(\.description)
    #expect(problems.contains { $0.hasPrefix("changes: chunk 3: ") }, "\(problems)")
  }

  @Test func aDamagedChunkIsATypedError() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("f.a", type: .int))
    try db.put("f.a", "u", 1)
    try db.env.write { txn in
      try db.tables.changes!.put(txn, key: ChangeChunk.key(2), value: [0, 1, 0, 9, 9, 9])
    }
    #expect(
      thrownError { _ = try db.changes(after: 1) }
        == .corruptStore(
          table: "changes", detail: "chunk 2: unknown change kind at byte 0"))
    try db.env.write { txn in
      try db.tables.changes!.put(txn, key: ChangeChunk.key(2), value: [7, 1, 0])
    }
    #expect(
      thrownError { _ = try db.changes(after: 0) }
        == .corruptStore(
          table: "changes", detail: "chunk 2: unknown chunk flags 7"))
  }
}
