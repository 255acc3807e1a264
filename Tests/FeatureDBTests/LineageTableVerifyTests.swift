import Foundation
import Testing

@testable import FeatureDB

/// verify checks every format-2 lineage table: a deleted or edited record in `derived`,
/// `run_versions`, `run_features`, `edges`, `runs`, `operations`, `retractions`, `groups` or
/// `meta.next_operation` is reported with its table (issue 19, item 7), where before verify stayed
/// clean while `lineage --downstream`, `--cascade`, `rollback --run`, `runs` and `ops` changed
/// their answers.
@Suite struct LineageTableVerifyTests {
  /// A store with a run, a derived version, a group and a rollback and its undo: clean.
  func makeLineageStore() throws -> (FeatureStore, TemporaryDirectory) {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("a", type: .int))
    try db.define(FeatureDefinition("b", type: .int))
    try db.put("a", "u1", 1, lineage: Lineage(producer: "p@1", run: "r1"))
    try db.put(
      "b", "u1", 2,
      lineage: Lineage(producer: "p@1", run: "r2", inputs: [.version("a", "u1", 1)]))
    try db.defineGroup(FeatureGroup("g", features: ["a", "b"]))
    let op = try #require(try db.rollback(.run("r2")).operation)
    try db.undo(op.id)
    try expectClean(db)
    return (db, dir)
  }

  /// The tables verify names after `tamper`.
  func tables(
    after tamper: (FeatureStore, borrowing WriteTransaction, Tables.TablesV2) throws -> Void
  ) throws -> [String] {
    let (db, dir) = try makeLineageStore()
    _ = dir
    try db.writeTransaction("tamper") { txn in try tamper(db, txn, try db.tables.lineage()) }
    return Set(try db.verify().problems.map(\.table)).sorted()
  }

  /// The key of the single record of `table` whose key starts with `prefix`.
  func onlyKey(
    _ table: Table, _ txn: borrowing WriteTransaction, prefix: [UInt8] = []
  ) throws -> [UInt8] {
    let cursor = try Cursor(table, txn)
    var keys: [[UInt8]] = []
    var entry = try cursor.first()
    while let (key, _) = entry {
      if key.starts(with: prefix) { keys.append(Array(key)) }
      entry = try cursor.next()
    }
    try #require(keys.count == 1, "\(table.name): \(keys)")
    return keys[0]
  }

  @Test func aDeletedReverseIndexEntryIsReported() throws {
    let found = try tables { _, txn, v2 in
      _ = try v2.derived.delete(txn, key: try onlyKey(v2.derived, txn))
    }
    #expect(found == ["derived", "edges"])
  }

  @Test func aDeletedRunIndexChunkIsReported() throws {
    let found = try tables { db, txn, v2 in
      let run = try #require(try db.symbolTable.lookup("r2", txn))
      let key = try onlyKey(v2.runVersions, txn, prefix: Keys.ids(run))
      _ = try v2.runVersions.delete(txn, key: key)
    }
    #expect(found == ["run_features", "run_versions"])
  }

  @Test func aRunFeatureCountEditIsReported() throws {
    let found = try tables { db, txn, v2 in
      let run = try #require(try db.symbolTable.lookup("r1", txn))
      try v2.runFeatures.put(
        txn, key: Keys.ids(run, 0),
        value: IndexCounts.encode(.init(count: 5, entities: 0, firstWrite: 0, lastWrite: 0)))
    }
    #expect(found == ["run_features"])
  }

  @Test func aDeletedEdgeIsReported() throws {
    let found = try tables { _, txn, v2 in
      _ = try v2.edges.delete(txn, key: try onlyKey(v2.edges, txn))
    }
    #expect(found == ["edges"])
  }

  @Test func aRunRecordUnderAnotherIdIsReported() throws {
    let found = try tables { db, txn, v2 in
      let run = try #require(try db.symbolTable.lookup("r1", txn))
      var record = try #require(try db.runRecord(run, txn))
      record.id = "r9"
      try db.storeRun(record, symbol: run, txn)
      _ = v2
    }
    #expect(found == ["runs"])
  }

  @Test func anUndoLinkEditIsReported() throws {
    let found = try tables { db, txn, _ in
      var rollback = try #require(try db.operation(1, txn))
      rollback.undoneBy = nil
      try db.record(rollback, txn)
    }
    #expect(found == ["operations"])
  }

  @Test func undecodableOperationAndDeletedRuleAreReported() throws {
    let found = try tables { _, txn, v2 in
      try v2.operations.put(txn, key: OrderedVarint.encode(2), value: Array("{\"id\":".utf8))
      _ = try v2.retractions.delete(txn, key: Keys.ids(1))
    }
    #expect(found == ["operations", "retractions"])
  }

  @Test func aGroupListingAnUndefinedFeatureIsReported() throws {
    let found = try tables { db, txn, v2 in
      let json = try #require(try v2.groups.get(txn, key: Array("g".utf8)))
      let edited = String(decoding: json, as: UTF8.self).replacingOccurrences(
        of: "\"b\"", with: "\"zz\"")
      try v2.groups.put(txn, key: Array("g".utf8), value: Array(edited.utf8))
      _ = db
    }
    #expect(found == ["groups"])
  }

  /// With `next_operation` gone, verify says so, and the next rollback refuses to reuse
  /// operation id 1 instead of overwriting its record.
  @Test func aMissingNextOperationIsReportedAndNeverReusesAnId() throws {
    let (db, dir) = try makeLineageStore()
    _ = dir
    try db.writeTransaction("tamper") { txn in
      _ = try db.tables.meta.delete(txn, key: Array("next_operation".utf8))
    }
    #expect(Set(try db.verify().problems.map(\.table)) == ["meta"])
    let before = try db.operations()
    #expect(throws: FeatureDBError.self) { try db.rollback(.run("r1")) }
    #expect(try db.operations() == before)
  }

  /// A head whose next version is not above its highest version would hand out a version number
  /// twice: verify reports it (issue 19, item 17: no test damaged a head's next version).
  @Test func aHeadWhoseNextVersionIsNotAboveItsVersionsIsReported() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("a", type: .int))
    for i in 1...3 { try db.put("a", "u1", i) }
    try expectClean(db)
    try db.writeTransaction("tamper") { txn in
      let entity = try #require(try db.entityTable.lookup("u1", txn))
      let key = Keys.chain(entity: entity, feature: try db.catalog(txn).feature("a").id)
      var head = try #require(try db.tables.chains.get(txn, key: key))
      try #require(head[0] == 0)  // no header fields: add nextVersion 3 (versions 1…3 exist)
      head[0] = 1
      head.insert(3, at: 5)
      let crc = CRC32C.checksum(Array(head[5...]))
      withUnsafeBytes(of: crc.littleEndian) { head.replaceSubrange(1..<5, with: $0) }
      try db.tables.chains.put(txn, key: key, value: head)
    }
    let problems = try db.verify().problems
    #expect(problems.map(\.message) == ["next version 3 is not above version 3"], "\(problems)")
  }
}
