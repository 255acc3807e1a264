import Foundation
import Testing

@testable import FeatureDB

/// Ids are compared as UTF-8 bytes, as LMDB compares keys: two ids that Swift's `==` calls equal
/// (canonically equivalent) but that differ in bytes are two entities, and lineage strings keep
/// the bytes they were given.
@Suite struct UnicodeIdTests {
  static let composed = "caf\u{E9}"  // é as one scalar
  static let decomposed = "cafe\u{301}"  // e + combining acute

  @Test func canonicallyEquivalentIdsAreDistinctEntities() throws {
    #expect(Self.composed == Self.decomposed)  // Swift's equality; the bytes differ
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int))
    let refs = try db.write { b in
      b.put("f", Self.composed, 1)
      b.put("f", Self.decomposed, 2)
    }
    #expect(refs.map(\.version) == [1, 1], "two entities, a first version each")
    try db.put("f", Self.decomposed, 3)
    let one = try db.history("f", Self.composed)
    let two = try db.history("f", Self.decomposed)
    #expect(one.map(\.value) == [.int(1)])
    #expect(two.map(\.value) == [.int(3), .int(2)])
    #expect(Array(two[0].entity.utf8) == Array(Self.decomposed.utf8))
  }

  @Test func lineageStringsKeepTheirBytes() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int))
    try db.write { b in
      b.put("f", "u1", 1, lineage: Lineage(source: Self.composed))
      b.put("f", "u2", 2, lineage: Lineage(source: Self.decomposed))
    }
    let source = try db.history("f", "u2").first?.lineage.source
    #expect(source.map { Array($0.utf8) } == Array(Self.decomposed.utf8))
  }
}
