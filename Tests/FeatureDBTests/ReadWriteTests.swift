import Foundation
import Testing

@testable import FeatureDB

@Suite struct ReadWriteTests {
  let db: FeatureStore
  let dir: TemporaryDirectory

  init() throws {
    (db, dir) = try makeStore()
    try db.define(FeatureDefinition("spend", type: .double, maxVersions: 0))
    try db.define(FeatureDefinition("count", type: .int))
    try db.define(FeatureDefinition("name", type: .string))
    try db.define(FeatureDefinition("flag", type: .bool))
    try db.define(FeatureDefinition("blob", type: .bytes))
    try db.define(FeatureDefinition("vec", type: .embedding(dims: 4)))
    try db.define(FeatureDefinition("big", type: .embedding(dims: 64)))
  }

  @Test func versionsCountUpPerFeatureAndEntity() throws {
    #expect(try db.put("spend", "u1", 1.0).version == 1)
    #expect(try db.put("spend", "u1", 2.0).version == 2)
    #expect(try db.put("spend", "u2", 3.0).version == 1)
    #expect(try db.put("count", "u1", 5).version == 1)
    let refs = try db.write { b in
      b.put("spend", "u1", 4.0)
      b.put("spend", "u1", 5.0)
      b.put("spend", "u3", 6.0)
    }
    #expect(refs.map(\.version) == [3, 4, 1])
    #expect(refs.map(\.description) == ["spend:u1@3", "spend:u1@4", "spend:u3@1"])
  }

  @Test func everyValueTypeRoundTrips() throws {
    let big = (0..<64).map { Float($0) * 0.5 }
    try db.write { b in
      b.put("spend", "e", 12.5)
      b.put("count", "e", 7)
      b.put("name", "e", "Zoë, \"quoted\"")
      b.put("flag", "e", true)
      b.put("blob", "e", [UInt8]([0, 1, 254, 255]))
      b.put("vec", "e", [Float]([0.25, -1, 3, 1e-8]))
      b.put("big", "e", big)
    }
    #expect(try db.latest("spend", "e", as: Double.self) == 12.5)
    #expect(try db.latest("count", "e", as: Int.self) == 7)
    #expect(try db.latest("name", "e", as: String.self) == "Zoë, \"quoted\"")
    #expect(try db.latest("flag", "e", as: Bool.self) == true)
    #expect(try db.latest("blob", "e", as: [UInt8].self) == [0, 1, 254, 255])
    #expect(try db.latest("vec", "e", as: [Float].self) == [0.25, -1, 3, 1e-8])
    #expect(try db.latest("big", "e", as: [Float].self) == big)
    #expect(try db.latest("spend", "nobody") == nil)
    #expect(try db.latest("count", "e") == .int(7))
  }

  @Test func anIntIsAcceptedForADoubleFeature() throws {
    try db.put("spend", "e", 3)
    #expect(try db.latest("spend", "e") == .double(3))
  }

  @Test func latestPrefersTheGreatestEventTimeNotTheLastWrite() throws {
    try db.put("spend", "u", 10.0, eventTime: t(5))
    try db.put("spend", "u", 99.0, eventTime: t(1))  // late-arriving older event
    #expect(try db.latest("spend", "u", as: Double.self) == 10)
    try db.put("spend", "u", 11.0, eventTime: t(6))
    #expect(try db.latest("spend", "u", as: Double.self) == 11)
    #expect(try db.latestVersion("spend", "u")?.version == 3)
  }

  @Test func tiesOnEventTimeGoToTheHigherVersion() throws {
    try db.put("spend", "u", 1.0, eventTime: t(2))
    try db.put("spend", "u", 2.0, eventTime: t(2))
    #expect(try db.latest("spend", "u", as: Double.self) == 2)
    #expect(try db.asOf("spend", "u", eventTime: t(2), as: Double.self) == 2)
    // Within one batch too.
    try db.write { b in
      b.put("spend", "v", 5.0, eventTime: t(3))
      b.put("spend", "v", 6.0, eventTime: t(3))
    }
    #expect(try db.latest("spend", "v", as: Double.self) == 6)
  }

  @Test func tombstonesHideEarlierValues() throws {
    try db.put("name", "u", "a", eventTime: t(1))
    try db.delete("name", "u", eventTime: t(2))
    #expect(try db.latest("name", "u") == nil)
    let v = try #require(try db.latestVersion("name", "u"))
    #expect(v.isTombstone && v.version == 2)
    #expect(try db.asOf("name", "u", eventTime: t(1, minutes: 30), as: String.self) == "a")
    try db.put("name", "u", "b", eventTime: t(3))
    #expect(try db.latest("name", "u", as: String.self) == "b")
    // A delete with an older event time does not hide a newer value.
    try db.delete("name", "u", eventTime: t(0))
    #expect(try db.latest("name", "u", as: String.self) == "b")
  }

  @Test func asOfEventTimeIsPointInTimeCorrect() throws {
    try db.put("spend", "u", 1.0, eventTime: t(1))
    try db.put("spend", "u", 3.0, eventTime: t(3))
    try db.put("spend", "u", 2.0, eventTime: t(2))
    #expect(try db.asOf("spend", "u", eventTime: t(0)) == nil)
    #expect(try db.asOf("spend", "u", eventTime: t(1), as: Double.self) == 1)  // exact time is included
    #expect(try db.asOf("spend", "u", eventTime: t(1, seconds: 1), as: Double.self) == 1)
    #expect(try db.asOf("spend", "u", eventTime: t(2, minutes: 59), as: Double.self) == 2)
    #expect(try db.asOf("spend", "u", eventTime: t(3), as: Double.self) == 3)
    #expect(try db.asOf("spend", "u", eventTime: t(100), as: Double.self) == 3)
  }

  @Test func asOfWriteTimeShowsWhatWasKnownThen() throws {
    try db.put("spend", "u", 1.0, eventTime: t(1))
    let firstWrite = try #require(try db.latestVersion("spend", "u")).writeTime
    try db.put("spend", "u", 5.0, eventTime: t(5))
    #expect(try db.asOf("spend", "u", writeTime: firstWrite, as: Double.self) == 1)
    #expect(try db.asOf("spend", "u", writeTime: firstWrite - .seconds(1)) == nil)
    #expect(try db.asOf("spend", "u", writeTime: .now, as: Double.self) == 5)
  }

  @Test func asOfIsBitemporal() throws {
    try db.put("spend", "u", 1.0, eventTime: t(1))
    let w1 = try #require(try db.latestVersion("spend", "u")).writeTime
    // A correction for hour 1 arrives later.
    try db.put("spend", "u", 1.5, eventTime: t(1))
    #expect(try db.asOf("spend", "u", eventTime: t(2), as: Double.self) == 1.5)
    #expect(try db.asOf("spend", "u", eventTime: t(2), writeTime: w1, as: Double.self) == 1)
    #expect(try db.asOf("spend", "u", eventTime: t(0), writeTime: w1) == nil)
  }

  @Test func writeTimesAreCommitTimesAndNeverGoBack() throws {
    let before = Timestamp.now
    let refs = try db.write { b in
      b.put("spend", "a", 1.0)
      b.put("spend", "b", 2.0)
    }
    let after = Timestamp.now
    let va = try #require(try db.latestVersion("spend", "a"))
    let vb = try #require(try db.latestVersion("spend", "b"))
    #expect(va.writeTime == vb.writeTime)
    #expect(va.writeTime >= before && va.writeTime <= after)
    #expect(va.eventTime == va.writeTime)  // event time defaults to the commit time
    try db.put("spend", "a", 3.0)
    #expect(try db.latestVersion("spend", "a")!.writeTime > va.writeTime)
    #expect(refs.count == 2)
  }

  @Test func historyIsNewestFirstWithLineage() throws {
    try db.put(
      "spend", "u", 1.0, eventTime: t(1),
      lineage: Lineage(producer: "p@1", run: "r1", source: "s.csv"))
    try db.put("count", "u", 4)
    try db.put(
      "spend", "u", 2.0, eventTime: t(0),
      lineage: Lineage(
        producer: "p@2", run: "r2", inputs: [.version("count", "u", 1), .raw("event-77")],
        note: "fix"))
    let h = try db.history("spend", "u")
    #expect(h.map(\.version) == [2, 1])
    #expect(h[0].value == .double(2) && h[0].eventTime == t(0) && h[0].status == .active)
    #expect(
      h[0].lineage
        == Lineage(
          producer: "p@2", run: "r2", inputs: [.version("count", "u", 1), .raw("event-77")],
          note: "fix"))
    #expect(h[1].lineage == Lineage(producer: "p@1", run: "r1", source: "s.csv"))
    #expect(try db.history("spend", "u", limit: 1).map(\.version) == [2])
    #expect(try db.history("spend", "nobody").isEmpty)
  }

  @Test func batchLineageAndEventTimeApplyToEveryWrite() throws {
    try db.write { b in
      b.lineage = Lineage(producer: "batch@1", run: "run-9")
      b.eventTime = t(4)
      b.put("spend", "a", 1.0)
      b.put("spend", "b", 2.0, eventTime: t(5), lineage: Lineage(producer: "own@1"))
    }
    let a = try #require(try db.latestVersion("spend", "a"))
    #expect(a.lineage.producer == "batch@1" && a.lineage.run == "run-9" && a.eventTime == t(4))
    let b = try #require(try db.latestVersion("spend", "b"))
    #expect(b.lineage == Lineage(producer: "own@1") && b.eventTime == t(5))
  }

  /// Consecutive writes whose lineages differ in one field each keep their own; writes that
  /// share one lineage (one inputs array) all get it.
  @Test func consecutiveWritesKeepTheirOwnLineage() throws {
    let events: [LineageInput] = [.raw("e1"), .raw("e2")]
    let base = Lineage(producer: "p@1", run: "r", source: "s", inputs: events, note: "n")
    var variants = [base, base]  // the same lineage twice, then one change each
    for change in 0..<6 {
      var l = base
      switch change {
      case 0: l.producer = "p@2"
      case 1: l.run = "r2"
      case 2: l.source = "s2"
      case 3: l.note = nil
      case 4: l.inputs = [.raw("e1"), .raw("e3")]
      default: l.inputs = [.raw("e1")]
      }
      variants += [l, base]
    }
    try db.write { b in
      for (i, l) in variants.enumerated() { b.put("count", "u\(i)", i, lineage: l) }
    }
    for (i, l) in variants.enumerated() {
      #expect(try db.latestVersion("count", "u\(i)")?.lineage == l, "write \(i)")
    }
  }

  @Test(arguments: [
    "a/b", "x y", "a:b@1", "user\u{0}nul", "日本語", "🙂", "a,b\"c\nd",
    String(repeating: "k", count: 399),
  ])
  func entityIdsNeverCollide(_ entity: String) throws {
    let neighbours = [entity + "x", String(entity.dropLast()), "a", "b", "x"]
    try db.write { b in
      b.put("name", entity, "target")
      for (i, n) in neighbours.enumerated() where n != entity && !n.isEmpty {
        b.put("name", n, "other\(i)")
      }
    }
    #expect(try db.latest("name", entity, as: String.self) == "target")
    let again = try FeatureStore(path: db.path, options: StoreOptions(readOnly: true))
    #expect(try again.latest("name", entity, as: String.self) == "target")
  }

  @Test func batchReadsReturnEntitiesByFeatures() throws {
    try db.write { b in
      b.put("spend", "a", 1.0)
      b.put("count", "a", 10)
      b.put("spend", "b", 2.0)
    }
    let rows = try db.latest(features: ["spend", "count"], entities: ["a", "b", "c"])
    #expect(rows == [[.double(1), .int(10)], [.double(2), nil], [nil, nil]])
    let all = try db.read { try $0.latestAll(entity: "a") }
    #expect(all == ["spend": .double(1), "count": .int(10)])
  }

  /// `latest(features:entity:)` takes a short cut when the head's first entry is the answer;
  /// it must agree with one-feature reads whatever the chain holds.
  @Test func entityVectorsAgreeWithSingleReads() throws {
    try db.define(FeatureDefinition("short", type: .int, ttl: .hours(1)))
    try db.define(FeatureDefinition("kept", type: .int, maxVersions: 1))
    let names = ["spend", "count", "name", "flag", "blob", "vec", "big", "short", "kept"]
    try db.write { b in
      b.put("spend", "u", 1.0)
      b.put("count", "u", 1)
      b.put("name", "u", "a")
      b.put("flag", "u", true)
      b.put("blob", "u", [UInt8](repeating: 7, count: 100))
      b.put("vec", "u", [Float]([1, 2, 3, 4]))
      b.put("big", "u", [Float](repeating: 0.5, count: 64))  // stored in `values`
      b.put("short", "u", 1, eventTime: t(0))  // expired long ago
      b.put("kept", "u", 1, eventTime: t(0))
    }
    // Version 1 is pruned; with version 2 retracted, latest must say history pruned.
    try db.put("kept", "u", 2, eventTime: t(2), lineage: Lineage(run: "bad"))
    try db.delete("name", "u")  // a tombstone first
    try db.put("count", "u", 2, lineage: Lineage(run: "bad"))
    _ = try db.rollback(.run("bad"))  // a retracted first entry
    for i in 0..<300 { try db.put("spend", "u", Double(i)) }  // segments
    func single(_ f: String) -> String {
      do { return "\(String(describing: try db.latest(f, "u")))" } catch { return "\(error)" }
    }
    func vector(_ fs: [String]) -> [String] {
      do {
        return try db.read { try $0.latest(features: fs, entity: "u") }.map {
          "\(String(describing: $0))"
        }
      } catch { return ["\(error)"] }
    }
    let expected = names.map(single)
    #expect(expected.contains { $0.contains("pruned") })
    let readable = names.filter { !single($0).contains("pruned") }
    #expect(vector(readable) == readable.map(single))
    #expect(vector(names) == [single("kept")])  // the same error
    #expect(vector(readable.reversed()) == readable.reversed().map(single))
    // The resolved list is cached per catalog version: a changed catalog is seen.
    try db.define(FeatureDefinition("later", type: .int))
    try db.put("later", "u", 9)
    #expect(vector(["later", "count"]) == [single("later"), single("count")])
    #expect(vector(["missing"]) == ["\(FeatureDBError.unknownFeature("missing"))"])
  }

  @Test func aSnapshotDoesNotSeeLaterCommits() throws {
    try db.put("count", "u", 1)
    try db.read { snap in
      try db.put("count", "u", 2)  // from the same thread: commits beside the open snapshot
      #expect(try snap.latest("count", "u", as: Int.self) == 1)
    }
    #expect(try db.latest("count", "u", as: Int.self) == 2)
  }

  struct Profile: Codable, Equatable {
    var spend: Double
    var count: Int
    var name: String?
    var vec: [Float]
  }

  @Test func codableStructsWriteAndReadInOneCall() throws {
    let p = Profile(spend: 9.5, count: 3, name: nil, vec: [1, 2, 3, 4])
    let refs = try db.put(entity: "u9", p)
    #expect(refs.count == 3)  // the nil optional is skipped
    #expect(try db.read(Profile.self, entity: "u9") == p)
    try db.put("name", "u9", "Ann")
    #expect(try db.read(Profile.self, entity: "u9").name == "Ann")
    #expect(throws: DecodingError.self) { try db.read(Profile.self, entity: "nobody") }
  }

  @Test func reopenKeepsEverything() throws {
    try db.put("spend", "u", 1.0, eventTime: t(1), lineage: Lineage(producer: "p", run: "r"))
    try db.put("spend", "u", 2.0, eventTime: t(2))
    let before = try db.history("spend", "u")
    let reopened = try FeatureStore(path: db.path)
    #expect(try reopened.history("spend", "u") == before)
    #expect(try reopened.put("spend", "u", 3.0).version == 3)
    #expect(reopened.storeID == db.storeID)
  }
}
