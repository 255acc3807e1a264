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
