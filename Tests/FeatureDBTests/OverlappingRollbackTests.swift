import Foundation
import Testing

@testable import FeatureDB

/// Overlapping rollbacks and undos (issue 19, item 4), checked against a model: a rollback
/// covers every version its rule selects (already retracted ones too) plus, with a cascade,
/// everything derived from them; a version is hidden while some rollback that was not undone
/// covers it.
@Suite struct OverlappingRollbackTests {
  /// Every order of two and of three overlapping rollbacks and their undos (an undo after its
  /// rollback).
  @Test(arguments: RollbackModel.overlapping(2) + RollbackModel.overlapping(3))
  func everyOrderOfOverlappingRollbacksAndUndos(_ forms: [Int]) throws {
    let base = try RollbackModel.Base()
    for order in RollbackModel.orders(forms) {
      try base.replay(order, verify: false)
    }
  }

  /// Seeded random sequences of rollbacks (some left pending while reads are checked) and
  /// undos, a form possibly repeated.
  @Test func randomSequencesMatchTheModel() throws {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("OverlappingRollbackTests.randomSequencesMatchTheModel seed \(seed)")
    var rng = SplitMix64(seed: seed)
    let base = try RollbackModel.Base()
    for _ in 0..<30 {
      var events: [RollbackModel.Event] = []
      var open: [Int] = []
      for _ in 0..<Int.random(in: 2...7, using: &rng) {
        if !open.isEmpty, Bool.random(using: &rng) {
          events.append(.undo(open.remove(at: Int.random(in: 0..<open.count, using: &rng))))
        } else {
          let form = Int.random(in: 0..<base.forms.count, using: &rng)
          events.append(.rollback(form, pending: Bool.random(using: &rng)))
          open.append(events.count - 1)
        }
      }
      try base.replay(events, seed: seed)
    }
  }

  /// The case of the issue: an undo of a run's rollback while a cascading rollback to an
  /// earlier version still covers the same version.
  @Test func anUndoLeavesAVersionAnotherRollbackCovers() throws {
    let base = try RollbackModel.Base()
    let a = try #require(base.forms.firstIndex { $0.name == "run r4" })
    let b = try #require(base.forms.firstIndex { $0.name == "f:u to version 2, cascade" })
    try base.replay([.rollback(a, pending: false), .rollback(b, pending: false), .undo(0)])
  }
}

/// A small store of two features, two entities and four runs, and the model of what each
/// rollback form covers.
enum RollbackModel {
  /// One write of the base store: version `version` of feature:entity, by `run`, derived from
  /// the writes at `inputs`.
  struct Write {
    var feature: String
    var entity: String
    var version: UInt64
    var run: String
    var inputs: [Int]
  }

  /// A rollback form and the writes it covers.
  struct Form: Sendable {
    var name: String
    /// The target, given each write's write time.
    var target: @Sendable ([Timestamp]) -> RollbackTarget
    var cascade: Bool
    /// Writes the rule selects.
    var roots: Set<Int>
    /// Writes derived from the roots (not roots themselves); empty without a cascade.
    var derived: Set<Int>
    var covers: Set<Int> { roots.union(derived) }
  }

  enum Event {
    /// Roll back with form `form`; `pending` leaves the rule unapplied while reads are checked.
    case rollback(Int, pending: Bool)
    /// Undo the rollback of event `event`.
    case undo(Int)
  }

  static let writes: [Write] = {
    var out: [Write] = []
    var next: [String: UInt64] = [:]
    func w(_ f: String, _ e: String, _ run: String, _ inputs: [Int] = []) {
      next["\(f):\(e)", default: 0] += 1
      out.append(
        Write(feature: f, entity: e, version: next["\(f):\(e)"]!, run: run, inputs: inputs))
    }
    w("f", "u", "r1")  // 0  f:u@1
    w("f", "u", "r1")  // 1  f:u@2
    w("f", "w", "r1")  // 2  f:w@1
    w("f", "u", "r4")  // 3  f:u@3
    w("f", "u", "r4")  // 4  f:u@4
    w("f", "w", "r4")  // 5  f:w@2
    w("g", "u", "d", [4])  // 6  g:u@1 ← f:u@4
    w("g", "w", "d", [5, 6])  // 7  g:w@1 ← f:w@2, g:u@1
    w("f", "u", "r5")  // 8  f:u@5
    w("g", "u", "d", [8])  // 9  g:u@2 ← f:u@5
    return out
  }()

  static let pairs = [("f", "u"), ("f", "w"), ("g", "u"), ("g", "w")]

  /// Writes derived from `roots`, transitively, roots excluded.
  static func derived(from roots: Set<Int>) -> Set<Int> {
    var seen = roots
    var changed = true
    while changed {
      changed = false
      for (i, w) in writes.enumerated() where !seen.contains(i) {
        if w.inputs.contains(where: seen.contains) {
          seen.insert(i)
          changed = true
        }
      }
    }
    return seen.subtracting(roots)
  }

  /// Every set of `k` forms that overlap pairwise (each two cover a version in common), as
  /// form indices in increasing order.
  static func overlapping(_ k: Int) -> [[Int]] {
    func from(_ start: Int, _ k: Int, _ chosen: [Int]) -> [[Int]] {
      guard k > 0 else { return [chosen] }
      return (start..<forms.count).flatMap { i in
        chosen.allSatisfy { !forms[$0].covers.isDisjoint(with: forms[i].covers) }
          ? from(i + 1, k - 1, chosen + [i]) : []
      }
    }
    return from(0, k, [])
  }

  static let forms: [Form] = {
    func form(
      _ name: String, cascade: Bool, _ roots: (Int) -> Bool,
      _ target: @escaping @Sendable ([Timestamp]) -> RollbackTarget
    ) -> Form {
      let roots = Set(writes.indices.filter(roots))
      return Form(
        name: name, target: target, cascade: cascade, roots: roots,
        derived: cascade ? derived(from: roots) : [])
    }
    func fu(_ i: Int) -> Bool { writes[i].feature == "f" && writes[i].entity == "u" }
    return [
      form("run r4", cascade: false, { writes[$0].run == "r4" }) { _ in .run("r4") },
      form("f:u to version 2, cascade", cascade: true, { fu($0) && writes[$0].version > 2 }) { _ in
        .toVersion(feature: "f", entity: "u", version: 2)
      },
      form("f:u to the time of f:u@3", cascade: false, { fu($0) && $0 > 3 }) {
        .toTime(feature: "f", entity: "u", writeTime: $0[3])
      },
      form(
        "f since the time of f:w@2, cascade", cascade: true, { writes[$0].feature == "f" && $0 > 5 }
      ) {
        .feature("f", since: $0[5])
      },
      form("run r4, cascade", cascade: true, { writes[$0].run == "r4" }) { _ in .run("r4") },
      form("g:u to version 1", cascade: false, { $0 == 9 }) { _ in
        .toVersion(feature: "g", entity: "u", version: 1)
      },
      form("run d", cascade: false, { writes[$0].run == "d" }) { _ in .run("d") },
    ]
  }()

  /// Every order of the rollbacks of `forms` and their undos, each undo after its rollback.
  static func orders(_ forms: [Int]) -> [[Event]] {
    var out: [[Event]] = []
    func go(_ events: [Event], _ done: [Int: Int], _ undone: Set<Int>) {
      if done.count == forms.count && undone.count == forms.count {
        out.append(events)
        return
      }
      for f in forms where done[f] == nil {
        var d = done
        d[f] = events.count
        go(events + [.rollback(f, pending: false)], d, undone)
      }
      for (f, at) in done where !undone.contains(f) {
        go(events + [.undo(at)], done, undone.union([f]))
      }
    }
    go([], [:], [])
    return out
  }

  /// The base store's contents, built once; each replay starts from a fresh copy.
  final class Base {
    let dir = TemporaryDirectory()
    /// Each write's write time, by index.
    let times: [Timestamp]
    var forms: [Form] { RollbackModel.forms }

    init() throws {
      let db = try FeatureStore(
        path: dir.child("base.fdb"), options: StoreOptions(durability: .noSync))
      for f in ["f", "g"] { try db.define(FeatureDefinition(f, type: .double, maxVersions: 0)) }
      var times: [Timestamp] = []
      for (i, w) in writes.enumerated() {
        let inputs = w.inputs.map {
          LineageInput.version(writes[$0].feature, writes[$0].entity, writes[$0].version)
        }
        let ref = try db.put(
          w.feature, w.entity, .double(Double(i)), eventTime: t(Int64(i)),
          lineage: Lineage(producer: "p@1", run: w.run, inputs: inputs))
        #expect(ref.version == w.version)
        times.append(try #require(try db.history(w.feature, w.entity).first?.writeTime))
      }
      self.times = times
    }

    /// Replays `events` on a fresh copy of the base store, checking every status, count and
    /// read against the model after each event, then reads at each event's write time and (with
    /// `verify`) the store's checks.
    func replay(_ events: [Event], seed: UInt64? = nil, verify: Bool = true) throws {
      let context = "\(events.map(describe)) seed \(seed.map(String.init) ?? "-")"
      let copy = TemporaryDirectory()
      try FileManager.default.copyItem(atPath: dir.child("base.fdb"), toPath: copy.child("s.fdb"))
      try? FileManager.default.removeItem(atPath: copy.child("s.fdb/lock.mdb"))
      let db = try FeatureStore(
        path: copy.child("s.fdb"), options: StoreOptions(durability: .noSync))
      var live: [Int: Form] = [:]  // event index → form of a rollback not undone
      var ops: [Int: UInt64] = [:]
      var seen: [(Timestamp, [String: Double?])] = []
      func hidden(_ w: Int, except: Int? = nil) -> Bool {
        live.contains { $0.key != except && $0.value.covers.contains(w) }
      }
      for (i, event) in events.enumerated() {
        switch event {
        case .rollback(let f, let pending):
          let form = forms[f]
          let retracted = form.covers.count { !hidden($0) }
          let cascaded = form.derived.count { !hidden($0) }
          let options = RollbackOptions(cascade: form.cascade)
          var dry = options
          dry.dryRun = true
          let plan = try db.rollback(form.target(times), dry)
          #expect(plan.retracted == retracted, "dry run of \(form.name) in \(context)")
          #expect(plan.cascaded == cascaded, "dry run of \(form.name) in \(context)")
          if pending {
            ops[i] = try db.recordRollback(form.target(times), options).0
            live[i] = form
            try check(db, live, "while \(form.name) is pending in \(context)")
            try db.applyPendingRetractions()
          } else {
            let result = try db.rollback(form.target(times), options)
            #expect(result.retracted == retracted, "\(form.name) in \(context)")
            #expect(result.cascaded == cascaded, "\(form.name) in \(context)")
            ops[i] = try #require(result.operation?.id)
            live[i] = form
          }
        case .undo(let r):
          let form = try #require(live[r])
          let restored = form.covers.count { !hidden($0, except: r) }
          let op = try db.undo(try #require(ops[r]))
          #expect(op.versions == restored, "undo of \(form.name) in \(context)")
          live[r] = nil
        }
        try check(db, live, context)
        let time = try db.operations(limit: 1)[0].time
        seen.append((time, try latest(db)))
      }
      // Reads at each operation's write time see what was visible then.
      for (time, values) in seen {
        for (f, e) in pairs {
          #expect(
            try db.asOf(f, e, writeTime: time) == values["\(f):\(e)"]!.map(FeatureValue.double),
            "\(f):\(e) at \(time) in \(context)")
        }
      }
      if verify { try expectClean(db) }
    }

    /// Every version's status and every pair's latest value against the model.
    private func check(_ db: FeatureStore, _ live: [Int: Form], _ context: String) throws {
      let hidden = Set(live.values.flatMap(\.covers))
      for (f, e) in pairs {
        let history = try db.history(f, e, includeRetracted: true)
        for (i, w) in writes.enumerated() where w.feature == f && w.entity == e {
          let v = try #require(history.first { $0.version == w.version })
          #expect(
            (v.status == .retracted) == hidden.contains(i), "\(f):\(e)@\(w.version) in \(context)")
        }
        let expected = writes.indices.last {
          writes[$0].feature == f && writes[$0].entity == e && !hidden.contains($0)
        }
        #expect(
          try db.latest(f, e) == expected.map { .double(Double($0)) }, "\(f):\(e) in \(context)")
      }
    }

    private func latest(_ db: FeatureStore) throws -> [String: Double?] {
      var out: [String: Double?] = [:]
      for (f, e) in pairs {
        guard case .double(let d)? = try db.latest(f, e) else {
          out["\(f):\(e)"] = .some(nil)
          continue
        }
        out["\(f):\(e)"] = d
      }
      return out
    }

    private func describe(_ e: Event) -> String {
      switch e {
      case .rollback(let f, let pending): "rollback \(forms[f].name)\(pending ? " (pending)" : "")"
      case .undo(let r): "undo #\(r)"
      }
    }
  }
}
