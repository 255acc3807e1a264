import Foundation
import Testing

@testable import FeatureDB

/// A store written by the format-2 code (Tests/Fixtures/format-v2) reads the same read-only,
/// and a writer upgrades it to format 3 in place: its change feed starts after sequence 1,
/// which stands for the history before the upgrade.
@Suite struct FormatV2UpgradeTests {
  static let fixture = StoreFixture("format-v2")
  static func expected() throws -> [[String: Any]] { try fixture.history() }
  static func copyStore(_ dir: TemporaryDirectory) throws -> String {
    try fixture.copy(into: dir, as: "v2.fdb")
  }

  @Test func readOnlyOpenReadsAVersionTwoStore() throws {
    let dir = TemporaryDirectory()
    let db = try FeatureStore(path: try Self.copyStore(dir), options: StoreOptions(readOnly: true))
    #expect(db.tables.changes == nil)
    let expected = try Self.expected()
    #expect(expected.count == 48)
    try expectHistory(db, expected)
    #expect(try db.operations().map(\.id) == [3, 2, 1])
    #expect(try db.group("model.a")?.features == ["user.clicks", "user.spend", "user.score"])
    #expect(
      thrownError { _ = try db.changes(after: 0) }
        == .invalidArgument(
          "this store's format has no change feed; open it for writing once to upgrade it to format 3"
        ))
  }

  @Test func aWriterUpgradesItAndTheFeedStartsAfterTheUpgrade() throws {
    let dir = TemporaryDirectory()
    let path = try Self.copyStore(dir)
    let db = try FeatureStore(path: path)
    let format = try db.readTransaction { try MetaStore(table: db.tables.meta).uint($0, .format) }
    #expect(format == 3)
    try expectHistory(db, try Self.expected())
    #expect(try db.verify().isClean)
    // Sequence 1 is the history before the upgrade: reading from 0 would miss it.
    #expect(try db.lastChange() == 1)
    expectError(.changesTrimmed(after: 0, oldest: 2)) { _ = try db.changes(after: 0) }
    #expect(try db.changes(after: 1).changes.isEmpty)
    let ref = try db.put("user.clicks", "u1", 99, eventTime: t(100))
    #expect(ref.version == 11)
    let rollback = try db.rollback(.toVersion(feature: "user.clicks", entity: "u1", version: 10))
    let feed = try db.changes(after: 1).changes.map {
      "\($0.sequence) \($0.kind) \($0.version ?? 0)"
    }
    #expect(feed == ["2 written 11", "3 pruned 1", "4 retracted 11"])  // max versions 10
    #expect(rollback.operation?.id == 4)
    #expect(try db.verify().isClean)
    // Opened again, nothing is upgraded twice.
    let again = try FeatureStore(path: path)
    #expect(try again.lastChange() == 4)
    #expect(try again.changes(after: 1).changes.count == 3)
  }
}
