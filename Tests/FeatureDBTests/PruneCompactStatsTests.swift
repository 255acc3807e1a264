import Foundation
import Testing

@testable import FeatureDB

@Suite struct PruneCompactStatsTests {
  @Test func pruneAppliesALoweredMaxVersionsToStoredData() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 10))
    try db.define(FeatureDefinition("g", type: .int, maxVersions: 10))
    for e in 0..<30 {
      try db.write { b in
        for v in 0..<6 {
          b.put("f", "e\(e)", v, eventTime: t(Int64(v)))
          b.put("g", "e\(e)", v, eventTime: t(Int64(v)))
        }
      }
    }
    try db.updateRetention("f", maxVersions: 2)
    let result = try db.prune("f")
    #expect(result.pruned == 30 * 4)
    #expect(try db.history("f", "e7").map(\.version) == [6, 5])
    #expect(try db.history("g", "e7").count == 6)  // other features untouched
    expectError(.historyPruned(feature: "f", entity: "e7", removed: 4)) {
      _ = try db.asOf("f", "e7", eventTime: t(2))
    }
    #expect(try db.prune("f").pruned == 0)  // idempotent
    #expect(try db.put("f", "e7", 9, eventTime: t(9)).version == 7)
    _ = dir
  }

  @Test func pruneWorksAcrossManyTransactions() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 0))
    try db.write { b in
      for e in 0..<12_000 {
        b.put("f", "e\(e)", 1, eventTime: t(1))
        b.put("f", "e\(e)", 2, eventTime: t(2))
      }
    }
    try db.updateRetention("f", maxVersions: 1)
    let result = try db.prune()
    #expect(result.chains == 12_000 && result.pruned == 12_000)
    #expect(try db.latest("f", "e11999", as: Int.self) == 2)
    _ = dir
  }

  @Test func compactionKeepsEveryVisibleValueAndShrinks() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .double, maxVersions: 10))
    try db.define(FeatureDefinition("s", type: .string))
    for round in 0..<4 {
      try db.write { b in
        for e in 0..<2000 {
          b.put("f", "e\(e)", Double(e * round), eventTime: t(Int64(round)))
          b.put(
            "s", "e\(e)", String(repeating: "x", count: 100 + round), eventTime: t(Int64(round)))
        }
      }
    }
    try db.updateRetention("f", maxVersions: 1)
    try db.prune()
    let out = dir.child("compacted")
    let sizes = try db.compact(to: out)
    #expect(sizes.bytesAfter < sizes.bytesBefore)
    let copy = try FeatureStore(path: out)
    for e in stride(from: 0, to: 2000, by: 37) {
      #expect(try copy.history("f", "e\(e)") == db.history("f", "e\(e)"))
      #expect(try copy.history("s", "e\(e)") == db.history("s", "e\(e)"))
      #expect(try copy.latest("f", "e\(e)") == db.latest("f", "e\(e)"))
    }
    #expect(copy.storeID == db.storeID)
  }

  @Test func compactRefusesANonEmptyDirectory() throws {
    let (db, dir) = try makeStore()
    let target = dir.child("busy")
    try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
    #expect(FileManager.default.createFile(atPath: target + "/x", contents: Data()))
    expectError(
      .invalidArgument("\(target) is not empty; compact writes into a new or empty directory")
    ) {
      try db.compact(to: target)
    }
  }

  @Test func statsCountWhatIsStored() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 2, ttl: .hours(1)))
    try db.define(FeatureDefinition("g", type: .string))
    // Event times relative to now (with a fixed date the expiry count depended on the day the
    // test ran): a's versions are 10, 9 and 8 hours old, b's is current.
    let now = Timestamp.now
    try db.write { b in
      for v in 0..<3 { b.put("f", "a", v, eventTime: now - .hours(10 - Int64(v))) }
      b.put("f", "b", 1, eventTime: now)
      b.put("g", "a", String(repeating: "z", count: 100))
    }
    let stats = try db.stats()
    let f = try #require(stats.features.first { $0.name == "f" })
    #expect(f.entities == 2 && f.versions == 3 && f.pruned == 1 && f.expired == 2 && f.active == 1)
    let g = try #require(stats.features.first { $0.name == "g" })
    #expect(g.entities == 1 && g.versions == 1 && g.bytes > 20)  // chain + zstd-compressed value record
    #expect(stats.entities == 2)
    #expect(stats.usedPages > 2 && stats.pageSize == 4096 && stats.fileBytes > 0)
    _ = dir
  }
}
