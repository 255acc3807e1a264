import Foundation
import Testing

@testable import FeatureDB

@Suite struct VacuumTests {
  let db: FeatureStore
  let dir: TemporaryDirectory

  init() throws {
    (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 0, ttl: .hours(1)))
    try db.define(FeatureDefinition("big", type: .bytes, maxVersions: 0, ttl: .hours(1)))
    try db.define(FeatureDefinition("forever", type: .int))
  }

  func expiryEntries() throws -> Int { try db.readTransaction { try db.tables.expiry.count($0) } }
  func valueRecords() throws -> Int { try db.readTransaction { try db.tables.values.count($0) } }

  @Test func removesExpiredVersionsAndRecordsTheHorizon() throws {
    try db.put("f", "e", 1, eventTime: t(0))
    try db.put("f", "e", 2, eventTime: t(5))
    try db.put("big", "e", [UInt8](repeating: 7, count: 500), eventTime: t(0))
    try db.put("forever", "e", 3, eventTime: t(0))
    #expect(try expiryEntries() == 3)
    #expect(try valueRecords() == 1)
    let result = try db.vacuum(now: t(5))  // t0 versions expired at t1
    #expect(result.removed == 2)
    #expect(result.done)
    #expect(result.horizons == ["f": t(1), "big": t(1)])
    #expect(try db.history("f", "e").map(\.version) == [2])
    #expect(try db.history("big", "e").isEmpty)
    #expect(try expiryEntries() == 1)
    #expect(try valueRecords() == 0)
    #expect(try db.feature("f")?.vacuumHorizon == t(1))
    // History that vacuum removed is reported, not silently missing.
    expectError(.historyVacuumed(feature: "f", entity: "e", removed: 1)) {
      _ = try db.asOf("f", "e", eventTime: t(0, minutes: 30))
    }
    #expect(try db.asOf("f", "e", eventTime: t(5), as: Int.self) == 2)
    // Version numbers keep counting after a chain was emptied.
    #expect(try db.put("big", "e", [UInt8]([1]), eventTime: t(6)).version == 2)
  }

  @Test func isIdempotentAndNearlyFreeWhenNothingExpired() throws {
    for i in 0..<10 { try db.put("f", "e\(i)", i, eventTime: t(0)) }
    #expect(try db.vacuum(now: t(1)).removed == 0)  // valid through t1 inclusive
    #expect(try db.vacuum(now: t(1)).examined == 0)
    #expect(try db.vacuum(now: t(2)).removed == 10)
    #expect(
      try db.vacuum(now: t(2)) == VacuumResult(removed: 0, examined: 0, done: true, horizons: [:]))
  }

  @Test func isBoundedAndResumable() throws {
    for i in 0..<25 { try db.put("f", "e\(i)", i, eventTime: t(0)) }
    let first = try db.vacuum(limit: 10, now: t(3))
    #expect(first.removed == 10 && !first.done)
    let second = try db.vacuum(limit: 10, now: t(3))
    #expect(second.removed == 10 && !second.done)
    let rest = try db.vacuum(now: t(3))
    #expect(rest.removed == 5 && rest.done)
  }

  @Test func dryRunChangesNothing() throws {
    for i in 0..<5 { try db.put("f", "e\(i)", i, eventTime: t(0)) }
    let dry = try db.vacuum(dryRun: true, now: t(3))
    #expect(dry.removed == 5)
    #expect(try expiryEntries() == 5)
    #expect(try db.history("f", "e0").count == 1)
    #expect(try db.feature("f")?.vacuumHorizon == nil)
  }

  @Test func aReaderSnapshotKeepsSeeingItsData() throws {
    try db.put("f", "e", 1, eventTime: t(0))
    let store = db
    try db.read { snap in
      let removed = try Thread.runAndWait { try store.vacuum(now: t(3)).removed }
      #expect(removed == 1)
      #expect(try snap.history("f", "e").count == 1)
      #expect(try snap.asOf("f", "e", eventTime: t(0), as: Int.self) == 1)
    }
    #expect(try db.history("f", "e").isEmpty)
  }

  @Test func aLongerTTLKeepsVersionsAShorterOneExpires() throws {
    try db.put("f", "e", 1, eventTime: t(0))
    try db.updateRetention("f", ttl: .some(.hours(10)))
    #expect(try db.vacuum(now: t(3)).removed == 0)
    #expect(try db.history("f", "e").count == 1)
    #expect(try db.vacuum(now: t(11)).removed == 1)
  }

  @Test func aTTLAddedLaterIndexesExistingVersions() throws {
    try db.put("forever", "e", 1, eventTime: t(0))
    try db.updateRetention("forever", ttl: .some(.hours(2)))
    #expect(try db.vacuum(now: t(3)).removed == 1)
  }

  @Test func pruningRemovesExpiryEntriesAndValues() throws {
    try db.define(FeatureDefinition("few", type: .bytes, maxVersions: 1, ttl: .hours(1)))
    try db.put("few", "e", [UInt8](repeating: 1, count: 300), eventTime: t(0))
    try db.put("few", "e", [UInt8](repeating: 2, count: 300), eventTime: t(1))
    #expect(try valueRecords() == 1)
    #expect(try expiryEntries() == 1)
  }

  @Test func refusesAReadOnlyStore() throws {
    let ro = try FeatureStore(path: db.path, options: StoreOptions(readOnly: true))
    expectError(.readOnly(path: db.path)) { try ro.vacuum() }
  }
}

extension Thread {
  /// Runs `body` on a new thread and waits for it (a second thread for concurrency tests).
  static func runAndWait<R: Sendable>(_ body: @escaping @Sendable () throws -> R) throws -> R {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<R, any Error>!
    Thread.detachNewThread {
      result = Result { try body() }
      done.signal()
    }
    done.wait()
    return try result.get()
  }
}
