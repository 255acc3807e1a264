import CLMDB
import Foundation
import Testing

@testable import FeatureDB

@Suite struct StorageTests {
  @Test func theMapGrowsFromATinyInitialSize() throws {
    let dir = TemporaryDirectory()
    let db = try FeatureStore(
      path: dir.child("s"), options: StoreOptions(durability: .noSync, mapSize: 64 * 1024))
    try db.define(FeatureDefinition("s", type: .string))
    let initial = db.env.currentMapSize
    for batch in 0..<20 {
      try db.write { b in
        for i in 0..<500 { b.put("s", "entity-\(batch)-\(i)", String(repeating: "v", count: 50)) }
      }
    }
    #expect(db.env.currentMapSize > initial)
    #expect(try db.latest("s", "entity-19-499", as: String.self)?.count == 50)
    #expect(try db.latest("s", "entity-0-0", as: String.self)?.count == 50)
  }

  @Test func aFullStoreSaysSoAndStaysUsable() throws {
    let dir = TemporaryDirectory()
    let db = try FeatureStore(
      path: dir.child("s"),
      options: StoreOptions(durability: .noSync, mapSize: 64 * 1024, maxMapSize: 256 * 1024))
    try db.define(FeatureDefinition("b", type: .bytes))
    try db.put("b", "small", [UInt8](repeating: 1, count: 10))
    let error = thrownError {
      try db.write { b in
        for i in 0..<2000 { b.put("b", "e\(i)", [UInt8](repeating: UInt8(i % 251), count: 200)) }
      }
    }
    #expect(error == .storeFull(path: db.path, mapSize: 256 * 1024))
    #expect(try db.latest("b", "small", as: [UInt8].self)?.count == 10)
    #expect(try db.latest("b", "e0") == nil)  // the failed batch left nothing
    try db.put("b", "small", [UInt8](repeating: 2, count: 10))  // still writable
    #expect(try db.latest("b", "small", as: [UInt8].self) == [UInt8](repeating: 2, count: 10))
  }

  @Test func readTransactionsCannotWrite() {
    // A compile-time property: `Table.put` takes a `WriteTransaction`, which a read closure never
    // receives. This test pins the types so a change that loosens them fails to compile here.
    let put: (Table, borrowing WriteTransaction, [UInt8], [UInt8], PutFlags) throws -> Void = {
      t, txn, k, v, f in
      try t.put(txn, key: k, value: v, flags: f)
    }
    _ = put
    func requireSendable<T: Sendable>(_: T.Type) {}
    requireSendable(FeatureStore.self)
  }

  @Test func lmdbErrorsCoverEveryCode() {
    let codes: [Int32] = [
      MDB_KEYEXIST, MDB_NOTFOUND, MDB_PAGE_NOTFOUND, MDB_CORRUPTED, MDB_PANIC, MDB_VERSION_MISMATCH,
      MDB_INVALID, MDB_MAP_FULL, MDB_DBS_FULL, MDB_READERS_FULL, MDB_TLS_FULL, MDB_TXN_FULL,
      MDB_CURSOR_FULL, MDB_PAGE_FULL, MDB_MAP_RESIZED, MDB_INCOMPATIBLE, MDB_BAD_RSLOT,
      MDB_BAD_TXN, MDB_BAD_VALSIZE, MDB_BAD_DBI,
    ]
    let named: [LMDBError] = [
      .keyExists, .notFound, .pageNotFound, .corrupted, .panic, .versionMismatch, .invalid,
      .mapFull, .dbsFull, .readersFull, .tlsFull, .txnFull, .cursorFull, .pageFull,
      .mapResized, .incompatible, .badReaderSlot, .badTransaction, .badValueSize, .badTable,
    ]
    #expect(named.map(\.rawValue) == codes)
    #expect(Set(named.map(\.description)).count == codes.count)
    #expect(LMDBError.mapFull.description.contains("MDB_MAP_FULL"))
  }

  @Test func manyThreadsReadWhileOneWrites() async throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("a", type: .int))
    try db.define(FeatureDefinition("b", type: .int))
    try await db.write { b in
      b.put("a", "e", 0)
      b.put("b", "e", 100)
    }
    // Every batch keeps a + b == 100: a reader seeing half a batch would break it.
    try await withThrowingTaskGroup(of: Int.self) { group in
      group.addTask {
        for i in 1...300 {
          try await db.write { b in
            b.put("a", "e", i)
            b.put("b", "e", 100 - i)
          }
        }
        return 0
      }
      for _ in 0..<4 {
        group.addTask {
          var reads = 0
          for _ in 0..<2000 {
            let (a, b) = try await db.read { s in
              (try s.latest("a", "e", as: Int.self)!, try s.latest("b", "e", as: Int.self)!)
            }
            #expect(a + b == 100)
            reads += 1
          }
          return reads
        }
      }
      var total = 0
      for try await n in group { total += n }
      #expect(total == 8000)
    }
    #expect(try await db.latest("a", "e", as: Int.self) == 300)
    _ = dir
  }
}
