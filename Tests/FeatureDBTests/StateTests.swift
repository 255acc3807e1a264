import Foundation
import Testing

@testable import FeatureDB

/// Per-entity state and checkpoints commit with the versions of their batch: all or nothing.
@Suite struct StateTests {
  @Test func stateAndCheckpointCommitWithTheirBatch() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("count", type: .int))
    try db.write { b in
      b.put("count", "u1", 1)
      b.setState([1, 2, 3], entity: "u1", namespace: "windows")
      b.setCheckpoint("events.jsonl", Array("inode 7 offset 120".utf8))
    }
    #expect(try db.state(entity: "u1", namespace: "windows") == [1, 2, 3])
    #expect(try db.checkpoint("events.jsonl") == Array("inode 7 offset 120".utf8))
    #expect(try db.state(entity: "u2", namespace: "windows") == nil)
    // A failing batch changes neither.
    #expect(throws: FeatureDBError.self) {
      try db.write { b in
        b.put("count", "u1", 2)
        b.setState([9], entity: "u1", namespace: "windows")
        b.setCheckpoint("events.jsonl", [9])
        b.put("nope", "u1", 1)
      }
    }
    #expect(try db.state(entity: "u1", namespace: "windows") == [1, 2, 3])
    #expect(try db.checkpoint("events.jsonl") == Array("inode 7 offset 120".utf8))
    #expect(try db.latest("count", "u1") == .int(1))
    // State alone, and removal.
    try db.write { $0.setState([], entity: "u2", namespace: "windows") }
    #expect(try db.state(entity: "u2", namespace: "windows") == [])
    try db.write { $0.removeState(entity: "u1", namespace: "windows") }
    #expect(try db.state(entity: "u1", namespace: "windows") == nil)
    #expect(throws: FeatureDBError.self) { try db.write { $0.setCheckpoint("", [1]) } }
    try expectClean(db)
  }
}
