import Foundation
import Testing

@testable import FeatureDB

/// Upstream and downstream trees, the feature graph and what runs wrote.
@Suite struct LineageQueryTests {
  @Test func versionsOfOneBatchKeepTheirOwnStringsWhereTheyDiffer() throws {
    // The write path reuses the ids of the strings the previous version named; a version that
    // names others (by position, or canonically equivalent but other bytes) keeps its own.
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("clicks", type: .int, maxVersions: 0))
    let lineages = [
      Lineage(producer: "p@1", run: "r", source: "s", inputs: [.raw("a"), .raw("b")]),
      Lineage(producer: "p@1", run: "r", source: "s", inputs: [.raw("a"), .raw("c")]),
      Lineage(producer: "p@2", run: "r", source: "s2", inputs: [.raw("c"), .raw("a"), .raw("d")]),
      Lineage(producer: "p@1", run: "r", source: "s", inputs: [.raw("\u{E9}")]),
      Lineage(producer: "p@1", run: "r", source: "s", inputs: [.raw("e\u{301}")]),
    ]
    try db.write { batch in
      for (i, l) in lineages.enumerated() {
        batch.put("clicks", "u\(i)", Int64(i), lineage: l)
      }
    }
    for (i, l) in lineages.enumerated() {
      let v = try #require(try db.latestVersion("clicks", "u\(i)"))
      #expect(v.lineage.producer == l.producer && v.lineage.source == l.source)
      #expect(
        v.lineage.inputs.map(\.description).elementsEqual(l.inputs.map(\.description)) {
          $0.utf8.elementsEqual($1.utf8)
        })
    }
  }

  @Test func upstreamShowsRemovedRetractedAndRawParents() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("clicks", type: .int, maxVersions: 2))
    try db.define(FeatureDefinition("spend", type: .double, maxVersions: 0))
    try db.define(FeatureDefinition("risk", type: .double, maxVersions: 0))
    try db.put("clicks", "u1", 1, eventTime: t(1))
    try db.put("spend", "u1", 5, eventTime: t(1), lineage: Lineage(run: "r1"))
    let risk = try db.put(
      "risk", "u1", 0.5, eventTime: t(2),
      lineage: Lineage(
        producer: "risk@1",
        inputs: [.version("clicks", "u1", 1), .version("spend", "u1", 1), .raw("evt-9")]))
    for i in 2...3 { try db.put("clicks", "u1", Int64(i), eventTime: t(Int64(i))) }  // prunes v1
    try db.rollback(.run("r1"))
    let tree = try db.upstream("risk", "u1", version: risk.version)
    #expect(tree.state == .active && tree.version?.lineage.producer == "risk@1")
    #expect(tree.children.map(\.state) == [.removed("pruned"), .retracted, .raw])
    #expect(tree.children[1].version?.retractedBy == 1)
    #expect(tree.children[2].rawInput == "evt-9")
    #expect(tree.rendered().contains("clicks:u1@1 [pruned]"))
    let down = try db.downstream("spend", "u1", version: 1)
    #expect(down.children.map(\.ref) == [VersionRef(feature: "risk", entity: "u1", version: 1)])
    #expect(throws: FeatureDBError.self) { try db.upstream("risk", "u1", depth: 0) }
    #expect(throws: FeatureDBError.self) { try db.upstream("risk", "u1", version: 5) }
  }

  /// Each version has 5 parents, 3 levels deep: 1 + 5 + 25 + 125 = 156 nodes.
  @Test func aWideTreeWithDepthLimitsAndSharedParents() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 0))
    var level = [VersionRef]()
    try db.write { b in for i in 0..<125 { b.put("f", "l3-\(i)", .int(Int64(i))) } }
    level = (0..<125).map { VersionRef(feature: "f", entity: "l3-\($0)", version: 1) }
    for depth in [2, 1, 0] {
      let count = level.count / 5
      try db.write { b in
        for i in 0..<count {
          let inputs = level[(i * 5)..<(i * 5 + 5)].map {
            LineageInput.version($0.feature, $0.entity, $0.version)
          }
          b.put(
            "f", "l\(depth)-\(i)", .int(Int64(i)),
            lineage: Lineage(producer: "p@1", inputs: Array(inputs)))
        }
      }
      level = (0..<count).map { VersionRef(feature: "f", entity: "l\(depth)-\($0)", version: 1) }
    }
    let tree = try db.upstream("f", "l0-0")
    #expect(tree.all.count == 156)
    #expect(tree.all.allSatisfy { !$0.repeated && !$0.truncated })
    let shallow = try db.upstream("f", "l0-0", depth: 1)
    #expect(shallow.all.count == 6 && shallow.children.allSatisfy(\.truncated))
    // A version naming the same parent twice is expanded once.
    try db.put(
      "f", "twice", 1,
      lineage: Lineage(inputs: [.version("f", "l1-0", 1), .version("f", "l1-0", 1)]))
    let twice = try db.upstream("f", "twice")
    #expect(twice.children.map(\.repeated) == [false, true])
    // l3-0 → l2-0 → l1-0 → l0-0 and → twice.
    #expect(try db.downstream("f", "l3-0").all.count == 5)
    let graph = try db.featureGraph()
    #expect(graph.edges.map(\.producer) == [nil, "p@1"] && graph.edges.map(\.count) == [2, 155])
    #expect(graph.dot().contains("\"f\" -> \"f\""))
  }

  @Test func runsRecordWhatTheyWrote() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("a", type: .int))
    try db.define(FeatureDefinition("b", type: .int))
    try db.beginRun(Run(id: "r1", name: "daily", parameters: ["day": "5"], codeVersion: "abc"))
    #expect(throws: FeatureDBError.self) { try db.beginRun(Run(id: "r1")) }
    try db.write { batch in
      batch.lineage.run = "r1"
      for e in ["u1", "u2", "u3"] { batch.put("a", e, 1) }
      batch.put("b", "u1", 2)
    }
    try db.put("a", "u1", 3, lineage: Lineage(run: "r1"))
    try db.finishRun("r1", status: .failed, metadata: ["rows": "4"])
    let run = try #require(try db.run("r1"))
    #expect(run.status == .failed && run.name == "daily" && run.metadata == ["rows": "4"])
    #expect(run.finishedAt != nil && !run.implicit)
    let summary = try db.runSummary("r1")
    #expect(summary.map(\.feature) == ["a", "b"])
    #expect(summary.map(\.versions) == [4, 1] && summary.map(\.entities) == [3, 1])
    #expect(
      try db.runVersions("r1", limit: 2, offset: 1).map(\.description) == ["a:u1@2", "b:u1@1"])
    #expect(try db.runs().map(\.id) == ["r1"])
    #expect(throws: FeatureDBError.unknownRun("zz")) { try db.runSummary("zz") }
    #expect(throws: FeatureDBError.unknownRun("zz")) { try db.finishRun("zz") }
  }
}

/// Imports keep the file as one symbol and each row's line as a number; a vacuumed parent shows
/// as such.
@Suite struct LineageSourceTests {
  @Test func anImportAddsAFewSymbolsWhateverItsRows() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("clicks", type: .int))
    let file = dir.child("clicks.csv")
    let rows = (0..<2_000).map { "u\($0),\($0)" }
    try (["id,clicks"] + rows).joined(separator: "\n").write(
      toFile: file, atomically: true, encoding: .utf8)
    try db.importCSV(file, options: ImportOptions(entityColumn: "id", run: "imp-1"))
    let symbols = try db.readTransaction { try db.tables.symbols.count($0) }
    #expect(symbols <= 3, "file, run and producer: \(symbols) symbols")
    #expect(try db.history("clicks", "u7").first?.lineage.source == "clicks.csv:9")
    #expect(try db.runSummary("imp-1").first?.versions == 2_000)
  }

  @Test func aVacuumedParentShowsAsVacuumed() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("raw", type: .int, maxVersions: 0, ttl: .hours(1)))
    try db.define(FeatureDefinition("agg", type: .int, maxVersions: 0))
    try db.put("raw", "u1", 1, eventTime: t(0))
    try db.put("raw", "u1", 2, eventTime: t(5))
    try db.put(
      "agg", "u1", 1, eventTime: t(0), lineage: Lineage(inputs: [.version("raw", "u1", 1)]))
    #expect(try db.vacuum(now: t(3)).removed == 1)
    let tree = try db.upstream("agg", "u1")
    #expect(tree.children.map(\.state) == [.removed("vacuumed")])
  }
}

@Suite struct LineageVerifyTests {
  /// verify checks the lineage indexes against the chains.
  @Test func verifyFindsIndexKeysNamingVersionsNeverWritten() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("a", type: .int))
    try db.put("a", "u1", 1, lineage: Lineage(run: "r"))
    try expectClean(db)
    try db.writeTransaction("tamper") { txn in
      let v2 = try db.tables.lineage()
      try v2.derived.put(txn, key: Keys.ids(1, 1, 1, 1, 1, 9), value: [0])
      try v2.runVersions.put(
        txn, key: Keys.ids(1, 1, 1),
        value: RunIndexChunk(ranges: [.init(feature: 1, first: 7, count: 1)]).encoded())
    }
    let report = try db.verify()
    // The two keys, and the counts they no longer agree with.
    #expect(
      report.problems.map(\.table).sorted()
        == ["derived", "edges", "run_features", "run_features", "run_versions"],
      "\(report.problems)")
  }
}

@Suite struct RunIndexTests {
  /// Two runs taking turns on one chain: run A's versions are not consecutive, so its index
  /// needs more than one chunk of ranges; counts and a rollback still see exactly its versions.
  @Test func interleavedRunsSpanSeveralChunks() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 0))
    try db.define(FeatureDefinition("g", type: .int, maxVersions: 0))
    for i in 0..<600 {
      try db.put(
        "f", "u1", Int64(i), eventTime: t(Int64(i)), lineage: Lineage(run: i % 2 == 0 ? "A" : "B"))
    }
    try db.put("g", "u1", 1, lineage: Lineage(run: "A"))
    let chunks = try db.readTransaction { try db.tables.v2!.runVersions.count($0) }
    #expect(chunks == 4, "A: 301 ranges in 2 chunks, B: 300 in 2")
    #expect(try db.runSummary("A").map(\.versions) == [300, 1])
    #expect(try db.runSummary("A").map(\.entities) == [1, 1])
    #expect(try db.runVersions("A", limit: 1_000).count == 301)
    let result = try db.rollback(.run("A"))
    #expect(result.retracted == 301)
    #expect(try db.history("f", "u1").map(\.version) == Array(stride(from: 600, to: 0, by: -2)))
    try expectClean(db)
  }
}
