import Foundation
import Testing

@testable import FeatureDB

/// What a rollback lists is worked out in a read snapshot before the writer lock is taken; it is
/// kept only when no write since could change it (issue 19, item 9).
@Suite struct RollbackListingTests {
  static func listing(_ db: FeatureStore, _ target: RollbackTarget, cascade: Bool) throws
    -> RollbackListing
  {
    try db.read { try $0.rollbackListing(target, cascade: cascade) }
  }

  static func stillExact(_ db: FeatureStore, _ listing: RollbackListing) throws -> Bool {
    try db.read { try $0.stillExact(listing) }
  }

  @Test func aValueRollbackIsStaleOnceItsChainGrows() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    for i in 1...3 { try db.put("spend", "u1", Double(i), eventTime: t(Int64(i))) }
    let target = RollbackTarget.toVersion(feature: "spend", entity: "u1", version: 1)
    let listing = try Self.listing(db, target, cascade: false)
    try db.put("spend", "u2", 1, eventTime: t(1))
    try db.put("score", "u1", 1, eventTime: t(1))
    #expect(try Self.stillExact(db, listing))
    try db.put("spend", "u1", 4, eventTime: t(4))
    #expect(try !Self.stillExact(db, listing))
  }

  @Test func aCascadeIsStaleOnceAVersionIsDerivedFromAFeatureItCovers() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    _ = try RollbackTests.chain(db, entity: "u1", run: "bad")
    let listing = try Self.listing(db, .run("bad"), cascade: true)
    #expect(listing.listed.count == 3)
    // Writes that derive nothing from spend, score, risk or alert change nothing.
    try db.put("spend", "u2", 1, eventTime: t(1), lineage: Lineage(run: "bad"))
    try db.define(FeatureDefinition("other", type: .double))
    try db.put("other", "u1", 1, eventTime: t(1))
    #expect(try Self.stillExact(db, listing))
    try db.put(
      "other", "u1", 2, eventTime: t(2),
      lineage: Lineage(run: "x", inputs: [.version("alert", "u1", 1)]))
    #expect(try !Self.stillExact(db, listing))
  }
}

/// A cascade's listing is in key order, so the first transaction appends it to `retractions`
/// (issue 19, item 9); a key already sorting after it (a damaged table) is written in place.
@Suite struct RollbackListingOrderTests {
  @Test func aCascadeIsListedInKeyOrder() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    for e in ["u3", "u1", "u2"] { _ = try RollbackTests.chain(db, entity: e, run: "bad") }
    let listing = try RollbackListingTests.listing(db, .run("bad"), cascade: true)
    #expect(listing.listed.count == 9)
    #expect(
      zip(listing.listed, listing.listed.dropFirst()).allSatisfy { ListedVersion.precedes($0, $1) })
  }

  @Test func aKeySortingAfterTheListingIsNoObstacle() throws {
    let (db, dir) = try RollbackTests.store()
    _ = dir
    _ = try RollbackTests.chain(db, entity: "u1", run: "bad")
    // The rule and a listed version of an operation the log does not hold (damage `verify`
    // reports) sort after every key operation 1 writes.
    try db.writeTransaction("test") { txn in
      let rule = RetractionRule(kind: .versions, pending: false, time: 0, resume: [], changed: 0)
      try db.tables.lineage().retractions.put(txn, key: Keys.ids(99), value: rule.encoded())
      try db.tables.lineage().retractions.put(txn, key: Keys.ids(99, 1, 1, 1), value: [0])
    }
    let result = try db.rollback(.run("bad"), RollbackOptions(cascade: true))
    #expect(result.retracted == 4)
    #expect(result.cascaded == 3)
    #expect(try db.latest("alert", "u1") == nil)
  }
}
