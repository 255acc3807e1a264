import Foundation
import Testing

@testable import FeatureDB

@Suite struct CatalogTests {
  @Test func defineGetAndListPersistAcrossReopen() throws {
    let dir = TemporaryDirectory()
    let path = dir.child("s.fdb")
    do {
      let db = try FeatureStore(path: path)
      let d = try db.define(
        FeatureDefinition(
          "user.login_frequency_1h", type: .double, maxVersions: 3, ttl: .hours(2),
          description: "logins per hour", owner: "growth", tags: ["login", "hourly"]))
      #expect(d.createdAt.microseconds > 0)
      try db.define(FeatureDefinition("user.embedding", type: .embedding(dims: 16)))
    }
    let db = try FeatureStore(path: path)
    let d = try #require(try db.feature("user.login_frequency_1h"))
    #expect(d.type == .double)
    #expect(d.maxVersions == 3)
    #expect(d.ttl == .hours(2))
    #expect(d.description == "logins per hour")
    #expect(d.owner == "growth")
    #expect(d.tags == ["login", "hourly"])
    #expect(try db.features().map(\.name) == ["user.embedding", "user.login_frequency_1h"])
    #expect(try db.feature("user.embedding")?.type == .embedding(dims: 16))
    #expect(try db.feature("missing") == nil)
  }

  @Test func redefiningWithTheSameSettingsChangesNothing() throws {
    let (db, _dir) = try makeStore()
    let definition = FeatureDefinition("f", type: .int, maxVersions: 2, description: "first")
    let first = try db.define(definition)
    let again = try db.define(definition)
    #expect(again == first)
    #expect(try db.feature("f") == first)
    _ = _dir
  }

  @Test func redefiningAppliesRetentionAndMetadata() throws {
    let (db, _dir) = try makeStore()
    let first = try db.define(
      FeatureDefinition("f", type: .int, maxVersions: 2, description: "first", owner: "a"))
    let again = try db.define(
      FeatureDefinition(
        "f", type: .int, maxVersions: 7, ttl: .days(1), description: "second", tags: ["t"]))
    #expect(again.maxVersions == 7 && again.ttl == .days(1))
    #expect(again.description == "second" && again.owner == "" && again.tags == ["t"])
    #expect(again.createdAt == first.createdAt)
    #expect(try db.feature("f") == again)
    // Back to the defaults: 10 versions, no TTL.
    let defaults = try db.define(FeatureDefinition("f", type: .int))
    #expect(defaults.maxVersions == 10 && defaults.ttl == nil)
    #expect(try db.feature("f")?.maxVersions == 10)
    expectError(
      .invalidDefinition(
        feature: "f", reason: "maxVersions is -1; it must be 0 (unlimited) or more")
    ) {
      try db.define(FeatureDefinition("f", type: .int, maxVersions: -1))
    }
    #expect(try db.feature("f")?.maxVersions == 10)
    _ = _dir
  }

  @Test func aTTLGivenThroughDefineIsIndexedForVacuum() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int))
    try db.put("f", "u1", 1, eventTime: t(0))
    try db.put("f", "u1", 2, eventTime: t(10))
    try db.define(FeatureDefinition("f", type: .int, ttl: .hours(1)))
    let result = try db.vacuum(now: t(24))
    #expect(result.removed == 2)
    #expect(try db.history("f", "u1").isEmpty)
    _ = _dir
  }

  @Test func aLowerMaxVersionsThroughDefineAppliesAtTheNextWrite() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 5))
    for i in 1...4 { try db.put("f", "u1", Int64(i), eventTime: t(Int64(i))) }
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 2))
    #expect(try db.history("f", "u1").count == 4)
    try db.put("f", "u1", 5, eventTime: t(5))
    #expect(try db.history("f", "u1").map(\.version) == [5, 4])
    _ = _dir
  }

  @Test func redefiningWithAnotherTypeFails() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int))
    expectError(.featureTypeConflict(feature: "f", existing: .int, requested: .string)) {
      try db.define(FeatureDefinition("f", type: .string))
    }
    _ = _dir
  }

  @Test(arguments: [
    "", "has space", "slash/name", "ünïcode", "semi;colon", String(repeating: "x", count: 201),
  ])
  func rejectsInvalidNames(_ name: String) throws {
    let (db, _dir) = try makeStore()
    let error = thrownError { try db.define(FeatureDefinition(name, type: .int)) }
    guard case .invalidFeatureName(let n, _) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(n == name)
    #expect(try db.features().isEmpty)
    _ = _dir
  }

  @Test func rejectsInvalidSettings() throws {
    let (db, _dir) = try makeStore()
    for def in [
      FeatureDefinition("a", type: .int, maxVersions: -1),
      FeatureDefinition("b", type: .int, ttl: .seconds(0)),
      FeatureDefinition("c", type: .embedding(dims: 0)),
    ] {
      let error = thrownError { try db.define(def) }
      guard case .invalidDefinition(let name, _) = error else {
        Issue.record("\(def.name): got \(String(describing: error))")
        continue
      }
      #expect(name == def.name)
    }
    #expect(try db.features().isEmpty)
    _ = _dir
  }

  @Test func retentionCanBeChangedLater() throws {
    let (db, _dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 5))
    let updated = try db.updateRetention("f", maxVersions: 2, ttl: .some(.days(1)))
    #expect(updated.maxVersions == 2 && updated.ttl == .days(1))
    #expect(try db.feature("f")?.ttl == .days(1))
    let cleared = try db.updateRetention("f", ttl: .some(nil))
    #expect(cleared.ttl == nil && cleared.maxVersions == 2)
    expectError(.unknownFeature("nope")) { try db.updateRetention("nope", maxVersions: 1) }
    _ = _dir
  }

  @Test func aSecondStoreObjectSeesNewDefinitions() throws {
    let dir = TemporaryDirectory()
    let a = try FeatureStore(path: dir.child("s"))
    let b = try FeatureStore(path: dir.child("s"))
    #expect(try b.feature("late") == nil)
    try a.define(FeatureDefinition("late", type: .bool))
    try a.put("late", "e", true)
    #expect(try b.latest("late", "e") == .bool(true))
  }
}
