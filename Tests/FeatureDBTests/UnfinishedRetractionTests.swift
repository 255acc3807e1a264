import Foundation
import Testing

@testable import FeatureDB

/// A rollback or undo whose recording commits but whose marking on the chains fails (a full
/// map, a full disk) says exactly that: it is recorded and in force, and the next rollback or
/// undo finishes it (issue 19, item 11).
@Suite struct UnfinishedRetractionTests {
  static let entities = 300
  static let perEntity = 100

  /// A store whose run "big" wrote 30,000 versions, compacted (no free pages) into `dir`, and
  /// reopened with a map that can grow by only 256 KiB: enough to record an operation, not to
  /// mark 30,000 versions.
  static func tightStore(_ dir: TemporaryDirectory, rolledBack: Bool) throws -> FeatureStore {
    let source = dir.child("source.fdb")
    do {
      let db = try FeatureStore(path: source, options: StoreOptions(durability: .noSync))
      try db.define(FeatureDefinition("s", type: .int, maxVersions: 0))
      for v in 0..<perEntity {
        try db.write { batch in
          batch.lineage = Lineage(run: "big")
          batch.eventTime = t(Int64(v))
          for e in 0..<entities { batch.put("s", "e\(e)", .int(Int64(v))) }
        }
      }
      if rolledBack { try db.rollback(.run("big")) }
      try db.compact(to: dir.child("tight.fdb"))
    }
    let size =
      try FileManager.default.attributesOfItem(atPath: dir.child("tight.fdb/data.mdb"))[
        .size] as! Int
    return try FeatureStore(
      path: dir.child("tight.fdb"),
      options: StoreOptions(durability: .noSync, mapSize: size, maxMapSize: size + (256 << 10)))
  }

  static func reopened(_ dir: TemporaryDirectory) throws -> FeatureStore {
    try FeatureStore(path: dir.child("tight.fdb"), options: StoreOptions(durability: .noSync))
  }

  @Test func aRollbackThatCannotBeMarkedSaysItIsInForceAndIsFinishedLater() throws {
    let dir = TemporaryDirectory()
    do {
      let db = try Self.tightStore(dir, rolledBack: false)
      let error = thrownError { try db.rollback(.run("big")) }
      let message = error?.description ?? ""
      #expect(
        message.contains("operation 1 (rollback of run big) is recorded and in force"), "\(message)"
      )
      #expect(!message.contains("nothing was written"), "\(message)")
      #expect(try db.operations().map(\.id) == [1])
      #expect(try db.latest("s", "e7") == nil, "in force while unfinished")
    }
    let db = try Self.reopened(dir)
    #expect(try db.latest("s", "e7") == nil)
    let undo = try db.undo(1)
    #expect(try db.operation(1).versions == Self.entities * Self.perEntity)
    #expect(undo.versions == Self.entities * Self.perEntity)
    #expect(try db.latest("s", "e7") == .int(Int64(Self.perEntity - 1)))
    try expectClean(db)
  }

  @Test func anUndoThatCannotBeMarkedSaysItIsInForceAndIsFinishedLater() throws {
    let dir = TemporaryDirectory()
    do {
      let db = try Self.tightStore(dir, rolledBack: true)
      #expect(try db.latest("s", "e7") == nil)
      let error = thrownError { try db.undo(1) }
      let message = error?.description ?? ""
      #expect(
        message.contains("operation 2 (undo of operation 1) is recorded and in force"), "\(message)"
      )
      #expect(try db.latest("s", "e7") == .int(Int64(Self.perEntity - 1)), "in force")
    }
    let db = try Self.reopened(dir)
    try db.applyPendingRetractions()
    #expect(try db.operation(2).versions == Self.entities * Self.perEntity)
    #expect(try db.latest("s", "e7") == .int(Int64(Self.perEntity - 1)))
    try expectClean(db)
  }
}
