import Foundation
import Testing

@testable import FeatureDB

/// `exportPartitioned`: Hive-style folders of every version with its status, removed history,
/// schema, manifest and `_SUCCESS`, written whole or not at all (issue 21, item 3).
@Suite struct PartitionedExportTests {
  /// Every file under `dir` (relative paths, sorted) with its lines.
  static func files(_ dir: String) -> [String: [String]] {
    var out: [String: [String]] = [:]
    let base = URL(fileURLWithPath: dir).standardizedFileURL.path
    for case let path as String in FileManager.default.enumerator(atPath: base) ?? .init() {
      var isDir: ObjCBool = false
      FileManager.default.fileExists(atPath: base + "/" + path, isDirectory: &isDir)
      if isDir.boolValue { continue }
      let text = (try? String(contentsOfFile: base + "/" + path, encoding: .utf8)) ?? ""
      out[path] = text.split(separator: "\n").map(String.init)
    }
    return out
  }

  /// The data rows of the version part files, without write times: `feature date entity event
  /// version status value`.
  static func versionRows(_ dir: String) -> [String] {
    files(dir).filter { $0.key.contains("/part-") && !$0.key.hasPrefix("_") }
      .flatMap { path, lines -> [String] in
        #expect(lines.first == "entity_id,event_time,write_time,version,status,value", "\(path)")
        let folders = path.split(separator: "/").dropLast().joined(separator: " ")
        return lines.dropFirst().map { line in
          var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
          fields.remove(at: 2)
          return ([folders] + fields).joined(separator: " ")
        }
      }.sorted()
  }

  func store() throws -> (FeatureStore, TemporaryDirectory) {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("user.spend", type: .double, ttl: .hours(2)))
    try db.define(FeatureDefinition("user.segment", type: .string))
    try db.define(FeatureDefinition("user.vec", type: .embedding(dims: 2)))
    return (db, dir)
  }

  @Test func writesEveryVersionWithItsStatus() throws {
    let (db, dir) = try store()
    try db.write { b in
      b.lineage = Lineage(run: "good")
      b.put("user.spend", "u1", 1.5, eventTime: t(1))
      b.put("user.spend", "u1", 2.5, eventTime: t(1))  // a tie: version 2 wins
      b.put("user.segment", "u1", "a,\"b\"", eventTime: t(25))
      b.put("user.vec", "u2", FeatureValue.embedding([0.5, -1]), eventTime: t(2))
    }
    try db.delete("user.segment", "u1", eventTime: t(26))
    try db.write { b in
      b.lineage = Lineage(run: "bad")
      b.put("user.spend", "u2", 9.0, eventTime: t(3))
    }
    try db.rollback(.run("bad"))
    let out = dir.child("export")
    let summary = try db.exportPartitioned(
      to: out, options: ExportOptions(features: ["user.spend", "user.segment", "user.vec"]))
    #expect(summary.versions == 6 && summary.entities == 2 && summary.files == 3)
    #expect(summary.removedRanges == 0 && summary.otherShardEntities == 0)
    #expect(
      Self.versionRows(out)
        == [
          "feature=user.segment date=2026-01-02 u1 2026-01-02T01:00:00Z 1 active \"a \"\"b\"\"\"",
          "feature=user.segment date=2026-01-02 u1 2026-01-02T02:00:00Z 2 deleted ",
          "feature=user.spend date=2026-01-01 u1 2026-01-01T01:00:00Z 1 active 1.5",
          "feature=user.spend date=2026-01-01 u1 2026-01-01T01:00:00Z 2 active 2.5",
          "feature=user.spend date=2026-01-01 u2 2026-01-01T03:00:00Z 1 retracted 9.0",
          "feature=user.vec date=2026-01-01 u2 2026-01-01T02:00:00Z 1 active \"[0.5 -1.0]\"",
        ].sorted())
    let all = Self.files(out)
    // The quoted cell, whole.
    #expect(
      all["feature=user.segment/date=2026-01-02/part-0-0.csv"]?.contains {
        $0.hasSuffix(",1,active,\"a,\"\"b\"\"\"")
      } == true)
    #expect(all.keys.contains("_SUCCESS") && all.keys.contains("_schema.json"))
    let manifest = try JSONDecoder().decode(
      PartitionedExportSummary.self,
      from: Data(contentsOf: URL(fileURLWithPath: out + "/_manifest.json")))
    #expect(manifest == summary)
    #expect(manifest.features.map(\.ttlMicroseconds) == [7_200_000_000, nil, nil])
    #expect(manifest.features.map(\.type) == ["double", "string", "embedding:2"])
    let schema =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: out + "/_schema.json"))) as? [String: Any]
    let names = (schema?["fields"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
    #expect(
      names == [
        "entity_id", "event_time", "write_time", "version", "status", "value", "feature", "date",
      ])
    // Nothing but the export is left beside it.
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
        "export", "store.fdb",
      ])
  }

  /// At write time W: versions written later are left out, and a status is the one a read at W
  /// sees (a rollback after W does not retract).
  @Test func asOfWriteTime() throws {
    let (db, dir) = try store()
    try db.put("user.spend", "u1", 1.0, eventTime: t(1), lineage: Lineage(run: "r1"))
    let w = Timestamp.now
    try db.put("user.spend", "u1", 2.0, eventTime: t(2))
    try db.rollback(.run("r1"))
    let before = dir.child("before")
    let after = dir.child("after")
    try db.exportPartitioned(
      to: before, options: ExportOptions(features: ["user.spend"], writeTime: w))
    try db.exportPartitioned(to: after, options: ExportOptions(features: ["user.spend"]))
    #expect(
      Self.versionRows(before) == [
        "feature=user.spend date=2026-01-01 u1 2026-01-01T01:00:00Z 1 active 1.0"
      ])
    #expect(
      Self.versionRows(after) == [
        "feature=user.spend date=2026-01-01 u1 2026-01-01T01:00:00Z 1 retracted 1.0",
        "feature=user.spend date=2026-01-01 u1 2026-01-01T02:00:00Z 2 active 2.0",
      ])
  }

  /// Pruned and vacuumed history is listed per chain in `_removed/`.
  @Test func listsRemovedHistory() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 2))
    let before = Timestamp.now
    for h in 1...4 { try db.put("f", "e1", Int64(h), eventTime: t(Int64(h))) }
    // At a write time before any of it was written, nothing was removed (or there).
    let early = try db.exportPartitioned(
      to: dir.child("early"), options: ExportOptions(features: ["f"], writeTime: before))
    #expect(early.removedRanges == 0 && early.versions == 0)
    let out = dir.child("export")
    let summary = try db.exportPartitioned(to: out, options: ExportOptions(features: ["f"]))
    #expect(summary.removedRanges == 1 && summary.versions == 2)
    #expect(
      Self.files(out)["_removed/feature=f/part-0-0.csv"] == [
        "entity_id,removed_by,min_event_time,max_event_time,versions",
        "e1,pruning,2026-01-01T01:00:00Z,2026-01-01T02:00:00Z,2",
      ])
  }

  /// With a shard, only its entities are written (the others counted), into part-<k>-<n> files,
  /// a new file every `rowsPerFile` rows.
  @Test func keepsOneShardAndSplitsFiles() throws {
    let (db, dir) = try store()
    let entities = (0..<40).map { "user\($0)" }
    try db.write { b in
      for e in entities {
        for h in 0..<3 { b.put("user.segment", e, "s\(h)", eventTime: t(Int64(h))) }
      }
    }
    let shard = try Shard(1, of: 3)
    let mine = entities.filter(shard.contains)
    #expect(!mine.isEmpty && mine.count < entities.count)
    let out = dir.child("export")
    let summary = try db.exportPartitioned(
      to: out, options: ExportOptions(features: ["user.segment"]),
      partitioning: Partitioning(shard: shard, rowsPerFile: 5))
    #expect(
      summary.entities == mine.count && summary.otherShardEntities == entities.count - mine.count)
    #expect(summary.shard == "1/3" && summary.versions == 3 * mine.count)
    let parts = Self.files(out).filter { $0.key.contains("/part-") }
    #expect(parts.count == (3 * mine.count + 4) / 5 && summary.files == parts.count)
    for (path, lines) in parts {
      #expect(path.hasPrefix("feature=user.segment/date=2026-01-01/part-1-"))
      #expect(lines.count == 6 || path.hasSuffix("-\(parts.count - 1).csv"), "\(path)")
    }
    #expect(
      Set(Self.versionRows(out).map { $0.split(separator: " ")[2] })
        == Set(mine.map { Substring($0) }))
  }

  @Test func refusesANonEmptyDirectoryAndLeavesItAlone() throws {
    let (db, dir) = try store()
    try db.put("user.spend", "u1", 1.0)
    let out = dir.child("export")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
    #expect(FileManager.default.createFile(atPath: out + "/keep.txt", contents: Data("x".utf8)))
    expectError(.outputNotEmpty(path: out)) {
      try db.exportPartitioned(to: out, options: ExportOptions(features: ["user.spend"]))
    }
    #expect(Self.files(out) == ["keep.txt": ["x"]])
    // An empty directory is filled.
    let empty = dir.child("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
    try db.exportPartitioned(to: empty, options: ExportOptions(features: ["user.spend"]))
    #expect(Self.files(empty).keys.contains("_SUCCESS"))
  }

  /// A failed export leaves neither the directory nor its temporary copy.
  @Test func aFailedExportLeavesNothing() throws {
    let (db, dir) = try store()
    try db.put("user.spend", "u1", 1.0)
    let out = dir.child("export")
    expectError(.unknownFeature("nope")) {
      try db.exportPartitioned(to: out, options: ExportOptions(features: ["user.spend", "nope"]))
    }
    expectError(.invalidArgument("feature 'user.spend' is listed twice")) {
      try db.exportPartitioned(
        to: out, options: ExportOptions(features: ["user.spend", "user.spend"]))
    }
    expectError(.invalidArgument("rows per file must be at least 1, got 0")) {
      try db.exportPartitioned(
        to: out, options: ExportOptions(features: ["user.spend"]),
        partitioning: Partitioning(rowsPerFile: 0))
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["store.fdb"])
    let file = dir.child("file")
    #expect(FileManager.default.createFile(atPath: file, contents: Data()))
    expectError(.invalidArgument("cannot write \(file): it is not a directory")) {
      try db.exportPartitioned(to: file, options: ExportOptions(features: ["user.spend"]))
    }
    let orphan = dir.child("no/such/dir")
    expectError(
      .invalidArgument(
        "cannot write \(orphan): the directory \(dir.child("no/such")) does not exist")
    ) {
      try db.exportPartitioned(to: orphan, options: ExportOptions(features: ["user.spend"]))
    }
  }

  /// With a memory budget smaller than a row, every row is appended to its file at once: the
  /// files are the same as with everything buffered.
  @Test func partFilesAppendWhenTheBudgetIsReached() throws {
    for budget in [1, 1 << 20] {
      let dir = TemporaryDirectory()
      var parts = PartFiles(
        root: dir.path, shard: 2, header: ["a", "b"], rowsPerFile: 3, budget: budget)
      for i in 0..<7 { try parts.write(i % 2 == 0 ? "x=1" : "x=2", ["\(i)", "v,\(i)"]) }
      try parts.finish()
      #expect(parts.files == 3)
      #expect(
        Self.files(dir.path) == [
          "x=1/part-2-0.csv": ["a,b", "0,\"v,0\"", "2,\"v,2\"", "4,\"v,4\""],
          "x=1/part-2-1.csv": ["a,b", "6,\"v,6\""],
          "x=2/part-2-0.csv": ["a,b", "1,\"v,1\"", "3,\"v,3\"", "5,\"v,5\""],
        ], "budget \(budget)")
    }
  }

  @Test func escapesPartitionValuesAsHive() {
    #expect(HivePath.folder("feature", "user.spend_7d-x") == "feature=user.spend_7d-x")
    #expect(HivePath.escape("a:b/c=d%e") == "a%3Ab%2Fc%3Dd%25e")
    #expect(HivePath.escape("\"#'*?\\{[]^") == "%22%23%27%2A%3F%5C%7B%5B%5D%5E")
    #expect(HivePath.escape("tab\there\u{7F}") == "tab%09here%7F")
    #expect(HivePath.escape("x y é") == "x y é")
    #expect(HivePath.escape("") == "__HIVE_DEFAULT_PARTITION__")
  }

  /// Importing one file into 3 shard stores (`ImportOptions.shard`) splits its rows: each store
  /// holds exactly its shard's entities, and together they hold every version the one store does.
  @Test func shardImportsPartitionTheRows() throws {
    let dir = TemporaryDirectory()
    var text = "id,ts,user.segment\n"
    for i in 0..<60 { text += "user\(i % 20),2026-01-0\(1 + i % 5)T00:00:00Z,s\(i)\n" }
    let csv = writeFile(dir, "rows.csv", text)
    func load(_ shard: Shard?) throws -> (FeatureStore, ImportSummary) {
      let db = try FeatureStore(
        path: dir.child("s\(shard?.index ?? 9).fdb"), options: StoreOptions(durability: .noSync))
      try db.define(FeatureDefinition("user.segment", type: .string))
      let summary = try db.importCSV(
        csv,
        options: ImportOptions(entityColumn: "id", timestampColumn: "ts", run: "r", shard: shard))
      return (db, summary)
    }
    let (whole, all) = try load(nil)
    #expect(all.rows == 60 && all.otherShardRows == 0)
    try whole.exportPartitioned(
      to: dir.child("whole"), options: ExportOptions(features: ["user.segment"]))
    var union: [String] = []
    var rows = 0
    for k in 0..<3 {
      let shard = try Shard(k, of: 3)
      let (db, summary) = try load(shard)
      #expect(summary.rows + summary.otherShardRows == 60)
      rows += summary.rows
      let out = dir.child("shard\(k)")
      try db.exportPartitioned(
        to: out, options: ExportOptions(features: ["user.segment"]),
        partitioning: Partitioning(shard: shard))
      let mine = Self.versionRows(out)
      #expect(mine.allSatisfy { shard.contains(String($0.split(separator: " ")[2])) })
      union += mine
    }
    #expect(rows == 60)
    #expect(union.sorted() == Self.versionRows(dir.child("whole")))
  }
}

/// Incremental partitioned exports: `fromChange` exports only the pairs the change feed names
/// since, each whole, and every export as of now records where it ends.
@Suite struct IncrementalExportTests {
  @Test func exportsOnlyThePairsChangedSinceAndRecordsTheRange() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("user.spend", type: .double))
    try db.define(FeatureDefinition("user.segment", type: .string))
    try db.put("user.spend", "u1", 1.0, eventTime: t(1))
    try db.put("user.spend", "u2", 2.0, eventTime: t(1))
    try db.put("user.segment", "u1", "a", eventTime: t(1))
    let options = ExportOptions(features: ["user.spend", "user.segment"])
    let full = try db.exportPartitioned(to: dir.child("full"), options: options)
    #expect(full.fromChange == nil && full.toChange == 5 && full.pairs == 0)
    #expect(!FileManager.default.fileExists(atPath: dir.child("full") + "/_pairs"))
    try db.put("user.spend", "u1", 3.0, eventTime: t(2), lineage: Lineage(run: "late"))
    try db.rollback(.run("late"))
    let delta = try db.exportPartitioned(
      to: dir.child("delta"), options: options, partitioning: Partitioning(fromChange: 5))
    #expect(delta.fromChange == 5 && delta.toChange == 7)
    // Only user.spend:u1, whole: its two versions, the second retracted.
    #expect(delta.pairs == 1 && delta.versions == 2)
    let rows = PartitionedExportTests.versionRows(dir.child("delta"))
    #expect(rows.count == 2 && rows.allSatisfy { $0.contains("feature=user.spend") })
    #expect(rows.contains { $0.hasSuffix(" 2 retracted 3.0") }, "\(rows)")
    #expect(
      PartitionedExportTests.files(dir.child("delta"))["_pairs/feature=user.spend/part-0-0.csv"]
        == ["entity_id", "u1"])
    // Nothing changed since: an empty delta that still records its range.
    let none = try db.exportPartitioned(
      to: dir.child("none"), options: options, partitioning: Partitioning(fromChange: 7))
    #expect(none.pairs == 0 && none.versions == 0 && none.toChange == 7)
    // A definition change covers every pair of the feature.
    try db.updateRetention("user.segment", maxVersions: 3)
    let redefined = try db.exportPartitioned(
      to: dir.child("redefined"), options: options, partitioning: Partitioning(fromChange: 7))
    #expect(redefined.pairs == 1 && redefined.versions == 1)
    // An export as of an earlier write time cannot be continued; an incremental one is as of now.
    var past = options
    past.writeTime = t(100)
    #expect(try db.exportPartitioned(to: dir.child("past"), options: past).toChange == nil)
    #expect(
      thrownError {
        try db.exportPartitioned(
          to: dir.child("bad"), options: past, partitioning: Partitioning(fromChange: 5))
      }
        == .invalidArgument(
          "an incremental export (from a change) reads as of now; it takes no as-of write time"))
    try db.trimChanges(before: 6)
    expectError(.changesTrimmed(after: 4, oldest: 6)) {
      try db.exportPartitioned(
        to: dir.child("old"), options: options, partitioning: Partitioning(fromChange: 4))
    }
    #expect(!FileManager.default.fileExists(atPath: dir.child("old")))
  }
}
