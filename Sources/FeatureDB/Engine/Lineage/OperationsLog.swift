import Foundation

/// An operation as stored in `operations` (JSON; times in microseconds since 1970).
private struct StoredOperation: Codable {
  var id: UInt64
  var kind: OperationRecord.Kind
  var form: String
  var actor: String
  var reason: String
  var timeMicroseconds: Int64
  var cascade: Bool
  var versions: Int
  var undoes: UInt64?
  var undoneBy: UInt64?

  init(_ o: OperationRecord) {
    (id, kind, form, actor, reason) = (o.id, o.kind, o.form, o.actor, o.reason)
    timeMicroseconds = o.time.microseconds
    (cascade, versions, undoes, undoneBy) = (o.cascade, o.versions, o.undoes, o.undoneBy)
  }

  var operation: OperationRecord {
    OperationRecord(
      id: id, kind: kind, form: form, actor: actor, reason: reason,
      time: Timestamp(microseconds: timeMicroseconds), cascade: cascade, versions: versions,
      undoes: undoes, undoneBy: undoneBy)
  }
}

extension FeatureStore {
  /// OperationRecord `id` from the operations log (nil when there is none).
  func operation(_ id: UInt64, _ txn: borrowing some Transaction & ~Copyable) throws
    -> OperationRecord?
  {
    guard let table = tables.v2?.operations else { return nil }
    return try OrderedVarint.encode(id).withUnsafeBytes { k in
      try table.withValue(txn, key: k) { v in try v.map(Self.decodeOperation) }
    }
  }

  static func decodeOperation(_ bytes: UnsafeRawBufferPointer) throws -> OperationRecord {
    try StoredJSON.decode(StoredOperation.self, bytes, table: "operations", what: "operation")
      .operation
  }

  /// Stores `op` in the operations log.
  func record(_ op: OperationRecord, _ txn: borrowing WriteTransaction) throws {
    try tables.lineage().operations.put(
      txn, key: OrderedVarint.encode(op.id), value: StoredJSON.encode(StoredOperation(op)))
  }

  /// The operations log (rollbacks and undos), newest first.
  public func operations(limit: Int = 100) throws -> [OperationRecord] {
    guard limit >= 0 else { throw FeatureDBError.invalidArgument("limit must be 0 or more") }
    return try readTransaction { txn in
      guard let table = tables.v2?.operations else { return [] }
      let cursor = try Cursor(table, txn)
      var out: [OperationRecord] = []
      var entry = try cursor.last()
      while let (_, value) = entry, out.count < limit {
        out.append(try Self.decodeOperation(value))
        entry = try cursor.previous()
      }
      return out
    }
  }

  /// OperationRecord `id`.
  ///
  /// - Throws: ``FeatureDBError/unknownOperation(_:)``.
  public func operation(_ id: UInt64) throws -> OperationRecord {
    guard let op = try readTransaction({ try operation(id, $0) }) else {
      throw FeatureDBError.unknownOperation(id)
    }
    return op
  }

  /// The operations and pending retractions reads consult.
  func retractionState(_ txn: borrowing some Transaction & ~Copyable) throws -> RetractionState {
    var state = RetractionState()
    guard let v2 = tables.v2 else { return state }
    var ops: [OperationRecord] = []
    let cursor = try Cursor(v2.operations, txn)
    var entry = try cursor.first()
    while let (_, value) = entry {
      ops.append(try Self.decodeOperation(value))
      entry = try cursor.next()
    }
    let times = Dictionary(ops.map { ($0.id, $0.time.microseconds) }) { a, _ in a }
    for op in ops {
      state.operations[op.id] = (op.time.microseconds, op.undoneBy.flatMap { times[$0] })
    }
    try forEachRetractionRule(txn) { op, rule in
      guard rule.pending else { return true }
      state.hasPending = true
      switch rule.kind {
      case .run(let run): state.byRun[run, default: []].append(op)
      case .feature(let f, let since): state.byFeature[f, default: []].append((since, op))
      case .versions: break
      case .undo:
        state.hasPendingUndo = true
        return true
      }
      // Any rollback may list versions too (a cascade's derived versions).
      try forEachListedVersion(op, txn) { _, _, _, _ in
        state.listing.append(op)
        return false
      }
      return true
    }
    return state
  }

  /// Calls `body(operation, rule)` for each retraction rule in operation order until it returns
  /// false, seeking past the versions each lists.
  func forEachRetractionRule(
    _ txn: borrowing some Transaction & ~Copyable, _ body: (UInt64, RetractionRule) throws -> Bool
  ) throws {
    guard let table = tables.v2?.retractions else { return }
    let cursor = try Cursor(table, txn)
    var entry = try cursor.first()
    while let (key, value) = entry {
      guard let op = Keys.parseIDs(key, count: 1)?.first else {
        throw FeatureDBError.corruptStore(
          table: table.name, detail: "listed versions without their operation's rule")
      }
      let rule: RetractionRule
      do { rule = try RetractionRule.decode(value) } catch {
        throw FeatureDBError.corruptStore(table: table.name, detail: "\(error)")
      }
      guard try body(op, rule), op < .max else { return }
      entry = try Keys.ids(op + 1).withUnsafeBytes { try cursor.seek($0) }
    }
  }

  /// Calls `body(entity, feature, version, eventTime)` for each version a retraction lists, in
  /// key order from `resume`, until it returns false.
  func forEachListedVersion(
    _ op: UInt64, _ txn: borrowing some Transaction & ~Copyable, from resume: [UInt8]? = nil,
    _ body: (UInt64, UInt64, UInt64, Int64) throws -> Bool
  ) throws {
    guard let table = tables.v2?.retractions else { return }
    let prefix = Keys.ids(op)
    let cursor = try Cursor(table, txn)
    var entry = try (resume ?? prefix + [0]).withUnsafeBytes { try cursor.seek($0) }
    while let (key, value) = entry, key.starts(with: prefix) {
      var r = ByteReader(value)
      var ids = Keys.IDReader(key)
      guard ids.next() != nil, let e = ids.next(), let f = ids.next(), let v = ids.next(),
        ids.isAtEnd, let eventTime = try? r.signedVarint()
      else {
        throw FeatureDBError.corruptStore(table: table.name, detail: "undecodable listed version")
      }
      guard try body(e, f, v, eventTime) else { return }
      entry = try cursor.next()
    }
  }
}
