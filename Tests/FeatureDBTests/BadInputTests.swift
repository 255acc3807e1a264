import CLMDB
import Foundation
import Testing

@testable import FeatureDB

@Suite struct BadInputTests {
  let db: FeatureStore
  let dir: TemporaryDirectory

  init() throws {
    (db, dir) = try makeStore()
    try db.define(FeatureDefinition("num", type: .double))
    try db.define(FeatureDefinition("vec", type: .embedding(dims: 3)))
  }

  @Test func unknownFeature() {
    expectError(.unknownFeature("nope")) { try db.put("nope", "e", 1.0) }
    expectError(.unknownFeature("nope")) { _ = try db.latest("nope", "e") }
  }

  @Test func wrongType() {
    expectError(.typeMismatch(feature: "num", entity: "e", expected: .double, got: .string)) {
      try db.put("num", "e", "x")
    }
    expectError(
      .typeMismatch(feature: "vec", entity: "e", expected: .embedding(dims: 3), got: .bool)
    ) {
      try db.put("vec", "e", true)
    }
  }

  @Test func emptyOrOversizedEntity() {
    expectError(.invalidEntity("", reason: "it is empty")) { try db.put("num", "", 1.0) }
    let long = String(repeating: "x", count: 401)
    let error = thrownError { try db.put("num", long, 1.0) }
    guard case .invalidEntity(_, let reason) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(reason.contains("401 bytes"))
  }

  @Test func overlongKeysAreRejectedOrNeverFound() throws {
    let long = String(repeating: "é", count: 300)  // 600 UTF-8 bytes: beyond LMDB's key limit
    #expect(try db.latest("num", long) == nil)
    #expect(try db.history("num", long).isEmpty)
    let error = thrownError { try db.put("num", "e", 1.0, lineage: Lineage(source: long)) }
    #expect(error.map { "\($0)".contains("600 bytes long; the limit is 400") } == true)
    #expect(try db.latest("num", "e") == nil)
  }

  @Test func badArgumentsAreTypedErrors() throws {
    expectError(.invalidArgument("history limit must be 0 or more, got -1")) {
      _ = try db.history("num", "e", limit: -1)
    }
    let wrong = EncodedEmbedding(encoding: .float16, dims: 4, bytes: [1, 2, 3])
    let error = thrownError { _ = try wrong.decoded() }
    #expect(error.map { "\($0)".hasPrefix("cannot decode the float16 embedding") } == true)
    expectError(
      .invalidArgument("a dictionary needs capacity ≥ 256 bytes and ≥ 8 samples, got 0 and 20000")
    ) {
      try db.trainDictionary(feature: "num", capacity: 0)
    }
  }

  @Test func badEmbeddings() {
    expectError(
      .invalidValue(feature: "vec", entity: "e", reason: "embedding has 2 dims, the feature has 3")
    ) {
      try db.put("vec", "e", [Float]([1, 2]))
    }
    expectError(
      .invalidValue(
        feature: "vec", entity: "e",
        reason: "embedding component 1 is nan; NaN and ±Inf are not allowed")
    ) {
      try db.put("vec", "e", [Float]([1, .nan, 2]))
    }
    let error = thrownError { try db.put("vec", "e", [Float]([1, 2, .infinity])) }
    #expect(error.map { "\($0)" }?.contains("component 2") == true)
  }

  @Test func outOfRangeTimes() {
    let tooLate = Timestamp.max + TimeSpan(microseconds: 1)
    expectError(.timeOutOfRange("event time of 'num' entity 'e'", tooLate)) {
      try db.put("num", "e", 1.0, eventTime: tooLate)
    }
    expectError(.timeOutOfRange("as-of event time", Timestamp.min - .seconds(1))) {
      _ = try db.asOf("num", "e", eventTime: Timestamp.min - .seconds(1))
    }
  }

  @Test func aFailedBatchLeavesTheStoreExactlyAsBefore() throws {
    try db.put("num", "keep", 1.0)
    let before = try db.history("num", "keep")
    let error = thrownError {
      try db.write { b in
        b.put("num", "keep", 2.0)
        b.put("num", "new-entity", 3.0)
        b.put("vec", "keep", [Float]([1, 2]))  // fails
      }
    }
    // The batch failed for the reason its last operation gives, not for any other.
    guard case .invalidValue(feature: "vec", entity: "keep", _) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(try db.history("num", "keep") == before)
    #expect(try db.latest("num", "new-entity") == nil)
    // Still usable, and the entity that failed to be created gets created now.
    try db.put("num", "new-entity", 4.0)
    #expect(try db.latest("num", "new-entity", as: Double.self) == 4)
    #expect(try db.put("num", "keep", 5.0).version == 2)
  }

  @Test func aPathThatIsAFile() throws {
    let file = dir.child("file")
    #expect(FileManager.default.createFile(atPath: file, contents: Data("hello".utf8)))
    expectError(.notAStore(path: file, reason: "it is a file, not a store directory")) {
      _ = try FeatureStore(path: file)
    }
  }

  @Test func aDirectoryWithOtherFiles() throws {
    let other = dir.child("other")
    try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: false)
    #expect(FileManager.default.createFile(atPath: other + "/notes.txt", contents: Data("x".utf8)))
    expectError(.notAStore(path: other, reason: "the directory holds other files and no data.mdb"))
    {
      _ = try FeatureStore(path: other)
    }
    #expect(!FileManager.default.fileExists(atPath: other + "/data.mdb"))
  }

  @Test func aGarbageDataFile() throws {
    let bad = dir.child("bad")
    try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: false)
    #expect(
      FileManager.default.createFile(
        atPath: bad + "/data.mdb", contents: Data(repeating: 0xAB, count: 16384)))
    expectError(.notAStore(path: bad, reason: "data.mdb is not an LMDB file")) {
      _ = try FeatureStore(path: bad)
    }
  }

  @Test func aTruncatedDataFile() throws {
    let bad = dir.child("truncated")
    try FileManager.default.createDirectory(atPath: bad, withIntermediateDirectories: false)
    #expect(
      FileManager.default.createFile(
        atPath: bad + "/data.mdb", contents: Data(repeating: 0, count: 100)))
    let error = thrownError { _ = try FeatureStore(path: bad) }
    guard case .notAStore(let path, _) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(path == bad)
  }

  @Test func anLMDBEnvironmentOfAnotherProgram() throws {
    let foreign = dir.child("foreign")
    try FileManager.default.createDirectory(atPath: foreign, withIntermediateDirectories: false)
    var env: OpaquePointer?
    mdb_env_create(&env)
    mdb_env_set_maxdbs(env, 2)
    #expect(mdb_env_open(env, foreign, 0, 0o600) == 0)
    var txn: OpaquePointer?
    mdb_txn_begin(env, nil, 0, &txn)
    var dbi: MDB_dbi = 0
    mdb_dbi_open(txn, "theirs", UInt32(MDB_CREATE), &dbi)
    mdb_txn_commit(txn)
    mdb_env_close(env)
    expectError(.notAStore(path: foreign, reason: "an LMDB environment of another program")) {
      _ = try FeatureStore(path: foreign)
    }
  }

  @Test func aStoreFromANewerFormat() throws {
    try db.env.write { txn in try MetaStore(table: db.tables.meta).set(txn, .format, 99) }
    expectError(.newerFormat(path: db.path, found: 99, supported: FeatureStore.formatVersion)) {
      _ = try FeatureStore(path: db.path)
    }
  }

  @Test func aMissingStoreOpenedReadOnly() {
    let missing = dir.child("missing")
    expectError(.notAStore(path: missing, reason: "it does not exist")) {
      _ = try FeatureStore(path: missing, options: StoreOptions(readOnly: true))
    }
  }

  @Test func aReadOnlyDirectory() throws {
    let ro = dir.child("ro")
    try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: false)
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro)
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ro) }
    expectError(.permissionDenied(path: ro, detail: "the directory is read-only")) {
      _ = try FeatureStore(path: ro)
    }
  }

  @Test func writesToAReadOnlyStore() throws {
    let ro = try FeatureStore(path: db.path, options: StoreOptions(readOnly: true))
    expectError(.readOnly(path: db.path)) { try ro.put("num", "e", 1.0) }
    expectError(.readOnly(path: db.path)) { try ro.define(FeatureDefinition("x", type: .int)) }
  }

  @Test func newStoreFilesAreOwnerOnly() throws {
    let attrs = try FileManager.default.attributesOfItem(atPath: db.path + "/data.mdb")
    #expect((attrs[.posixPermissions] as? Int) == 0o600)
    let dir2 = TemporaryDirectory()
    let shared = try FeatureStore(path: dir2.child("s"), options: StoreOptions(fileMode: 0o640))
    let attrs2 = try FileManager.default.attributesOfItem(atPath: shared.path + "/data.mdb")
    #expect((attrs2[.posixPermissions] as? Int) == 0o640)
  }

  @Test func errorMessagesNameWhatAndWhere() {
    #expect(FeatureDBError.unknownFeature("user.x").description == "unknown feature 'user.x'")
    #expect(
      FeatureDBError.typeMismatch(feature: "f", entity: "e", expected: .int, got: .string)
        .description
        == "feature 'f' entity 'e': expected a value of type int, got string")
    #expect(
      FeatureDBError.corruptRecord(feature: "f", entity: "e", version: 3, detail: "bad").description
        == "corrupt record: feature 'f' entity 'e' version 3: bad")
  }
}
