import Foundation
import Testing

@testable import FeatureDB

/// What a consumer of the change feed keeps from the feed alone: every retained version of
/// every pair, and whether reads see it. The tests compare it with the store.
struct FeedReplica {
  struct Entry: Equatable {
    var value: FeatureValue?
    var eventTime: Timestamp
    var visible: Bool
  }

  /// Versions by "feature|entity", then version number.
  var pairs: [String: [UInt64: Entry]] = [:]
  var ttl: [String: TimeSpan] = [:]
  /// The last sequence number applied.
  var last: UInt64
  /// Sequence numbers out of order or seen twice.
  var problems: [String] = []

  init(after: UInt64 = 0) { last = after }

  /// Applies one change; each must come exactly once, in order.
  mutating func apply(_ c: Change) {
    if c.sequence != last + 1 { problems.append("change \(c.sequence) after \(last)") }
    last = c.sequence
    let key = "\(c.feature)|\(c.entity ?? "")"
    switch c.kind {
    case .written, .deleted:
      pairs[key, default: [:]][c.version!] = Entry(
        value: c.value, eventTime: c.eventTime!, visible: true)
    case .retracted: pairs[key]?[c.version!]?.visible = false
    case .restored: pairs[key]?[c.version!]?.visible = true
    case .pruned, .expired: pairs[key]?[c.version!] = nil
    case .defined: ttl[c.feature] = c.definition!.ttl
    }
  }

  /// The latest value as a read at `now` sees it: the visible version with the newest event
  /// time (then version); nil for a tombstone or one older than the TTL allows.
  func latest(_ feature: String, _ entity: String, now: Timestamp) -> FeatureValue? {
    let visible = (pairs["\(feature)|\(entity)"] ?? [:]).filter(\.value.visible)
    guard
      let best = visible.max(by: {
        ($0.value.eventTime, $0.key) < ($1.value.eventTime, $1.key)
      })
    else { return nil }
    if let ttl = ttl[feature], best.value.eventTime < now - ttl { return nil }
    return best.value.value
  }

  /// (version, retracted) of every retained version, newest first, as history lists them.
  func history(_ feature: String, _ entity: String) -> [String] {
    (pairs["\(feature)|\(entity)"] ?? [:]).sorted { $0.key > $1.key }.map {
      "\($0.key)\($0.value.visible ? "" : " retracted")"
    }
  }

  /// Records an issue for every pair whose latest value or history differs from the store's.
  func expectSame(as db: FeatureStore, features: [String], entities: [String]) throws {
    #expect(problems.isEmpty, "\(problems.prefix(5))")
    try db.read { snap in
      for f in features {
        for e in entities {
          let stored = try snap.history(f, e, includeRetracted: true).map {
            "\($0.version)\($0.status == .retracted ? " retracted" : "")"
          }
          #expect(history(f, e) == stored, "history of \(f):\(e)")
          // A latest read that could need a removed version says so instead of answering; the
          // replica, which removed it too, is not asked then.
          let value: FeatureValue?
          do { value = try snap.latest(f, e) } catch FeatureDBError.historyPruned,
            FeatureDBError.historyVacuumed
          { continue }
          #expect(latest(f, e, now: snap.now) == value, "latest of \(f):\(e)")
        }
      }
    }
  }
}

/// A seeded random workload that makes every kind of change: writes (some derived from other
/// versions), tombstones, rollbacks of every form with and without cascade, undos, pruning
/// after lowering max versions, and vacuums of a TTL feature.
struct FeedWorkload {
  static let features = ["m.a", "m.b", "m.d", "m.t"]
  static let entities = ["u0", "u1", "u2", "u3", "u4"]
  let db: FeatureStore
  var rng: SplitMix64
  var count = 0

  init(_ db: FeatureStore, seed: UInt64) throws {
    self.db = db
    rng = SplitMix64(seed: seed)
    try db.define(FeatureDefinition("m.a", type: .double, maxVersions: 6))
    try db.define(FeatureDefinition("m.b", type: .int, maxVersions: 0))
    try db.define(FeatureDefinition("m.d", type: .double, maxVersions: 4))
    try db.define(FeatureDefinition("m.t", type: .double, maxVersions: 0, ttl: .hours(1)))
  }

  /// A workload on a new store at `s` in a new directory, its seed printed under `label`.
  static func inNewStore(_ label: String) throws -> (FeedWorkload, TemporaryDirectory) {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("ChangeFeedTests \(label) seed \(seed)")
    let dir = TemporaryDirectory()
    let db = try FeatureStore(path: dir.child("s"), options: StoreOptions(durability: .noSync))
    return (try FeedWorkload(db, seed: seed), dir)
  }

  /// One random step; errors a user could get (nothing to roll back, undo twice) are expected.
  mutating func step() throws {
    count += 1
    let e = Self.entities[Int.random(in: 0..<5, using: &rng)]
    let run = "run-\(Int.random(in: 0..<4, using: &rng))"
    do {
      switch Int.random(in: 0..<100, using: &rng) {
      case 0..<35:
        try db.put(
          "m.a", e, Double(count) / 4, eventTime: t(Int64.random(in: 0..<48, using: &rng)),
          lineage: Lineage(producer: "w@1", run: run))
      case 35..<50:
        try db.put("m.b", e, count, eventTime: t(Int64.random(in: 0..<48, using: &rng)))
      case 50..<62:
        guard let parent = try db.history("m.a", e, limit: 1).first else { return }
        try db.put(
          "m.d", e, Double(count), eventTime: parent.eventTime,
          lineage: Lineage(
            producer: "d@1", run: "derive", inputs: [.version("m.a", e, parent.version)]))
      case 62..<70:
        let age: Int64 = Bool.random(using: &rng) ? 3 * 3_600 : 60
        try db.put("m.t", e, Double(count), eventTime: .now - .seconds(age))
      case 70..<75:
        try db.delete("m.a", e, eventTime: t(Int64.random(in: 0..<48, using: &rng)))
      case 75..<80:
        let v = UInt64.random(in: 0...4, using: &rng)
        try db.rollback(
          .toVersion(feature: "m.a", entity: e, version: v),
          RollbackOptions(cascade: Bool.random(using: &rng)))
      case 80..<84:
        try db.rollback(.run(run), RollbackOptions(cascade: Bool.random(using: &rng)))
      case 84..<86:
        try db.rollback(.feature("m.b", since: .now - .seconds(1)))
      case 86..<93:
        let ops = try db.operations(limit: 20)
        guard !ops.isEmpty else { return }
        try db.undo(ops[Int.random(in: 0..<ops.count, using: &rng)].id)
      case 93..<96:
        try db.updateRetention("m.a", maxVersions: Int.random(in: 2...6, using: &rng))
        try db.prune("m.a")
      default:
        try db.vacuum()
      }
    } catch FeatureDBError.nothingToRollBack, FeatureDBError.cannotUndo,
      FeatureDBError.unknownRun, FeatureDBError.unknownVersion, FeatureDBError.historyPruned,
      FeatureDBError.historyVacuumed
    {
    }
  }
}
