/// A retraction recorded in `retractions` (key: the operation id): what a rollback or an undo
/// covers, and how far applying it to the chains has come.
///
/// ```
/// u8 kind: 1 run      → varint run symbol
///          2 feature  → varint feature id, svarint since (versions written after it)
///          3 versions → (listed under keys op ‖ entity ‖ feature ‖ version → svarint eventTime)
///          4 undo     → varint the undone operation's id
/// u8 state: 0 pending (reads consult the rule), 1 applied (every chain entry says it)
/// svarint time: the operation's write time; versions written later are not covered
/// bytes resume: where applying continues (a key of the table the rule walks; empty: start)
/// varint changed: versions changed so far
/// ```
struct RetractionRule: Equatable {
  enum Kind: Equatable {
    case run(UInt64)
    case feature(UInt64, since: Int64)
    case versions
    case undo(UInt64)
  }

  var kind: Kind
  var pending: Bool
  var time: Int64
  var resume: [UInt8]
  var changed: UInt64

  func encoded() -> [UInt8] {
    var w = ByteWriter(capacity: 24)
    switch kind {
    case .run(let r):
      w.byte(1)
      w.varint(r)
    case .feature(let f, let since):
      w.byte(2)
      w.varint(f)
      w.signedVarint(since)
    case .versions: w.byte(3)
    case .undo(let op):
      w.byte(4)
      w.varint(op)
    }
    w.byte(pending ? 0 : 1)
    w.signedVarint(time)
    w.lengthPrefixed(resume)
    w.varint(changed)
    return w.bytes
  }

  static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> RetractionRule {
    var r = ByteReader(bytes)
    let kind: Kind
    switch try r.byte() {
    case 1: kind = .run(try r.varint())
    case 2: kind = .feature(try r.varint(), since: try r.signedVarint())
    case 3: kind = .versions
    case 4: kind = .undo(try r.varint())
    case let k: throw DecodeError("unknown retraction kind \(k)")
    }
    let state = try r.byte()
    guard state <= 1 else { throw DecodeError("unknown retraction state \(state)") }
    let rule = RetractionRule(
      kind: kind, pending: state == 0, time: try r.signedVarint(),
      resume: Array(try r.lengthPrefixed()), changed: try r.varint())
    guard r.isAtEnd else { throw DecodeError("trailing bytes in a retraction") }
    return rule
  }
}

/// What reads need of the operations log and of retractions not yet applied to every chain:
/// loaded with the catalog (both change the catalog version), so a read pays nothing for it
/// while no retraction is pending.
struct RetractionState: Sendable {
  /// Operation id → its time and, once undone, the undo's time.
  var operations: [UInt64: (time: Int64, undoneAt: Int64?)] = [:]
  /// Pending rules, by what they match.
  var byRun: [UInt64: [UInt64]] = [:]
  var byFeature: [UInt64: [(since: Int64, op: UInt64)]] = [:]
  /// Pending operations that list versions (in `retractions`, looked up there: a listing may
  /// hold millions).
  var listing: [UInt64] = []
  /// Any rule pending (an undo too): the retracted bit alone may be stale.
  var hasPending = false
  /// An undo pending: a retracted bit may be set on a version it restored.
  var hasPendingUndo = false

  /// Whether operation `op` hides a version at write time `w`: it committed by then and was not
  /// undone by then.
  func hides(_ op: UInt64, at w: Int64) -> Bool {
    guard let o = operations[op] else { return true }  // verify reports unknown operations
    return o.time <= w && (o.undoneAt.map { $0 > w } ?? true)
  }

  /// Whether a pending rule covers an entry of (entity, feature) with an operation for which
  /// `matching` returns true (visited in turn, stopping at the first; no allocation: reads call it
  /// for every entry they walk while a rule is pending). `lists(op)` says whether pending
  /// operation `op` lists the entry's version.
  func anyPending(
    _ e: ChainRecord.Entry, entity: UInt64, feature: UInt64, lists: (UInt64) throws -> Bool,
    matching body: (UInt64) -> Bool
  ) rethrows -> Bool {
    // A rule covers only versions written at or before its operation.
    func before(_ op: UInt64) -> Bool { e.writeTime <= operations[op]?.time ?? .max }
    if e.run != 0, let ops = byRun[e.run] {
      for op in ops where before(op) && body(op) { return true }
    }
    if let rules = byFeature[feature] {
      for r in rules where e.writeTime > r.since && before(r.op) && body(r.op) { return true }
    }
    for op in listing where try lists(op) && body(op) { return true }
    return false
  }
}
