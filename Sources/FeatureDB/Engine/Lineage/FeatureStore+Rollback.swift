import Foundation

extension FeatureStore {
  // MARK: - Rollback

  /// Retracts versions: never rewrites history. Retracted versions stay in history with the
  /// operation that retracted them and are invisible to reads from the operation's time on
  /// (reads at an earlier write time still see them).
  ///
  /// The rollback is one operation in the operations log, visible to every reader at once: its
  /// first transaction records what it covers (a run, a feature since a time, or a list of
  /// versions), and reads consult that record until later transactions of at most
  /// ``retractionStep`` versions have marked every covered chain entry. An interrupted rollback
  /// is finished by the next rollback, undo or ``applyPendingRetractions(step:maxSteps:)``.
  ///
  /// ```swift
  /// let result = try db.rollback(.run("spend-2026-01-05"),
  ///                              RollbackOptions(cascade: true, actor: "ana", reason: "bad input"))
  /// try db.undo(result.operation!.id)
  /// ```
  /// A run being written (a pipeline holding it, see ``claiming(_:_:)``) is not rolled back:
  /// its rollback is refused until the run ends (a dry run is allowed), and the run cannot
  /// start writing while its rollback is under way.
  ///
  /// `progress`, if given, is called after each transaction that marks the retraction on the
  /// chains, with the number of versions marked so far: readers see the rollback before the
  /// first call, so a caller can say so and show how the marking goes.
  ///
  /// - Throws: ``FeatureDBError/unknownRun(_:)``, ``FeatureDBError/unknownFeature(_:)``,
  ///   ``FeatureDBError/unknownVersion(feature:entity:version:detail:)``,
  ///   ``FeatureDBError/nothingToRollBack(_:)`` (the target selects no version; not for a dry
  ///   run, which answers 0), ``FeatureDBError/operationUnfinished(operation:what:cause:)``
  ///   (recorded and in force, but not yet marked on every chain),
  ///   ``FeatureDBError/resourceBusy(_:)`` for a run being written.
  @discardableResult
  public func rollback(
    _ target: RollbackTarget, _ options: RollbackOptions = RollbackOptions(),
    progress: ((Int) -> Void)? = nil
  ) throws -> RollbackResult {
    if case .run(let id) = target, !options.dryRun {
      return try claiming(.run(id)) { try retract(target, options, progress) }
    }
    return try retract(target, options, progress)
  }

  /// ``rollback(_:_:progress:)`` once the run it may name is claimed.
  private func retract(
    _ target: RollbackTarget, _ options: RollbackOptions, _ progress: ((Int) -> Void)?
  ) throws -> RollbackResult {
    try applyPendingRetractions()
    if options.dryRun {
      return try read { try $0.dryRun(target, options) }
    }
    let (id, cascaded) = try recordRollback(target, options)
    let changed = try finish(id, "rollback of \(target)", progress)
    let op = try operation(id)
    return RollbackResult(
      operation: op, retracted: op.versions, cascaded: cascaded, versions: changed[id] ?? [])
  }

  /// The first transaction of a rollback: the operation and what it covers, visible to every
  /// read from its commit on. Returns the operation id and the number of cascaded versions.
  ///
  /// What it covers is worked out in a read snapshot first, so the writer lock is held only to
  /// record it; when a write committed in between could have changed it, it is worked out again
  /// under the lock.
  func recordRollback(_ target: RollbackTarget, _ options: RollbackOptions) throws -> (
    UInt64, Int
  ) {
    let (planned, seen) = try read { snap in
      (try snap.rollbackListing(target, cascade: options.cascade), snap.id)
    }
    var cascaded = planned.cascaded
    let id = try writeTransaction("rollback") { txn in
      var listing = planned
      let snap = Snapshot(handle: txn.handle, store: self, catalog: try catalog(txn), now: .now)
      if txn.id != seen &+ 1, try !snap.stillExact(planned) {
        listing = try snap.rollbackListing(target, cascade: options.cascade)
        cascaded = listing.cascaded
      }
      let (plan, listed) = (listing.plan, listing.listed)
      let time = try MetaStore(table: tables.meta).nextWriteTime(txn)
      let id = try nextOperationID(txn)
      let rule = RetractionRule(kind: plan.kind, pending: true, time: time, resume: [], changed: 0)
      try tables.lineage().retractions.put(txn, key: Keys.ids(id), value: rule.encoded())
      try putListed(listed, operation: id, txn)
      try record(
        OperationRecord(
          id: id, kind: .rollback, form: target.description, actor: options.actor,
          reason: options.reason, time: Timestamp(microseconds: time), cascade: options.cascade,
          versions: 0), txn)
      if case .run(let symbol) = plan.kind, var run = try runRecord(symbol, txn),
        run.status != .rolledBack
      {
        run.metadata[Run.statusBeforeRollback] = run.status.rawValue
        run.status = .rolledBack
        try storeRun(run, symbol: symbol, txn)
      }
      try MetaStore(table: tables.meta).bumpCatalogVersion(txn)
      return id
    }
    return (id, cascaded)
  }

  /// Writes the versions rollback `id` lists (in key order), each with its event time (they
  /// come from one chain's entries or from `derived`, so it is known). Appended at the end of
  /// `retractions`, where the newest operation's keys sort, when nothing sorts after them.
  private func putListed(
    _ listed: [ListedVersion], operation id: UInt64, _ txn: borrowing WriteTransaction
  ) throws {
    let cursor = try Cursor(try tables.lineage().retractions, txn)
    var last = try cursor.last().map { Array($0.key) } ?? []
    var key: [UInt8] = []
    var value = ByteWriter(capacity: 10)
    for l in listed {
      key.removeAll(keepingCapacity: true)
      OrderedVarint.append(id, to: &key)
      OrderedVarint.append(l.entity, to: &key)
      OrderedVarint.append(l.feature, to: &key)
      OrderedVarint.append(l.version, to: &key)
      value.bytes.removeAll(keepingCapacity: true)
      value.signedVarint(l.eventTime ?? 0)
      let append = last.lexicographicallyPrecedes(key)
      try key.withUnsafeBytes { k in
        try value.bytes.withUnsafeBytes { v in
          try cursor.put(key: k, value: v, flags: append ? .append : [])
        }
      }
      if append { swap(&last, &key) }
    }
  }

  /// Undoes rollback `id`: restores the versions it retracted (unless another rollback still
  /// retracts them). The undo is an operation too; it cannot be undone, and a rollback is undone
  /// at most once. `progress` is called as in ``rollback(_:_:progress:)``, with the versions
  /// restored so far.
  ///
  /// - Throws: ``FeatureDBError/unknownOperation(_:)``,
  ///   ``FeatureDBError/cannotUndo(operation:reason:)``,
  ///   ``FeatureDBError/operationUnfinished(operation:what:cause:)`` (recorded and in force, but
  ///   not yet marked on every chain).
  @discardableResult
  public func undo(
    _ id: UInt64, actor: String = "", reason: String = "", progress: ((Int) -> Void)? = nil
  ) throws -> OperationRecord {
    try applyPendingRetractions()
    let undoID = try writeTransaction("undo") { txn in
      guard var op = try operation(id, txn) else { throw FeatureDBError.unknownOperation(id) }
      guard op.kind == .rollback else {
        throw FeatureDBError.cannotUndo(
          operation: id, reason: "it is an undo; undos cannot be undone")
      }
      if let by = op.undoneBy {
        throw FeatureDBError.cannotUndo(operation: id, reason: "operation \(by) undid it already")
      }
      let time = try MetaStore(table: tables.meta).nextWriteTime(txn)
      let undoID = try nextOperationID(txn)
      op.undoneBy = undoID
      try record(op, txn)
      try record(
        OperationRecord(
          id: undoID, kind: .undo, form: "undo of operation \(id) (\(op.form))", actor: actor,
          reason: reason, time: Timestamp(microseconds: time), cascade: op.cascade, versions: 0,
          undoes: id), txn)
      let rule = RetractionRule(kind: .undo(id), pending: true, time: time, resume: [], changed: 0)
      try tables.lineage().retractions.put(txn, key: Keys.ids(undoID), value: rule.encoded())
      if let rolled = try retractionRule(id, txn), case .run(let symbol) = rolled.kind,
        var run = try runRecord(symbol, txn)
      {
        let before = run.metadata.removeValue(forKey: Run.statusBeforeRollback)
        run.status = before.flatMap(Run.Status.init(rawValue:)) ?? .succeeded
        try storeRun(run, symbol: symbol, txn)
      }
      try MetaStore(table: tables.meta).bumpCatalogVersion(txn)
      return undoID
    }
    try finish(undoID, "undo of operation \(id)", progress)
    return try operation(undoID)
  }

  /// Applies the pending rules once operation `id` (`what`) is recorded. A failure here leaves
  /// `id` recorded and in force (reads consult its rule until it is applied), so it is reported
  /// as such, not as a write that left nothing.
  @discardableResult
  private func finish(_ id: UInt64, _ what: String, _ progress: ((Int) -> Void)?) throws
    -> [UInt64: [VersionRef]]
  {
    do {
      return try applyPendingRetractions(progress: progress)
    } catch let error as FeatureDBError {
      let cause =
        switch error {
        case .noSpace: "no space left on device"
        case .storeFull(_, let size): "the map reached its maximum of \(size) bytes"
        default: error.description
        }
      throw FeatureDBError.operationUnfinished(operation: id, what: what, cause: cause)
    }
  }

  /// Versions applied per transaction while a retraction is marked on the chains.
  public static let retractionStep = 20_000

  /// Marks pending retractions on the chain entries they cover, in transactions of at most
  /// `step` versions, until none is pending (or after `maxSteps` transactions). Reads are correct before and after:
  /// this only moves a retraction from the rule reads consult to the entries themselves.
  /// Returns, per operation, the first versions whose status changed (at most 1,000 each).
  /// `progress`, if given, is called after each committed step with the number of versions
  /// whose status this call has changed so far.
  @discardableResult
  public func applyPendingRetractions(
    step: Int = retractionStep, maxSteps: Int = .max, progress: ((Int) -> Void)? = nil
  ) throws -> [UInt64: [VersionRef]] {
    guard step > 0 else { throw FeatureDBError.invalidArgument("step must be 1 or more") }
    var changed: [UInt64: [VersionRef]] = [:]
    guard tables.v2 != nil, !options.readOnly else { return changed }
    var steps = 0
    var applied = 0
    while steps < maxSteps {
      var stepped = 0
      let more = try writeTransaction("apply retractions") { txn in
        stepped = 0  // a transaction run again counts afresh
        return try applyRetractionStep(limit: step, &changed, counting: &stepped, txn)
      }
      guard more else { break }
      steps += 1
      applied += stepped
      progress?(applied)
    }
    return changed
  }

  // MARK: - Internal

  func retractionRule(_ op: UInt64, _ txn: borrowing some Transaction & ~Copyable) throws
    -> RetractionRule?
  {
    guard let table = tables.v2?.retractions else { return nil }
    return try Keys.ids(op).withUnsafeBytes { k in
      try table.withValue(txn, key: k) { v in
        guard let v else { return nil }
        do { return try RetractionRule.decode(v) } catch {
          throw FeatureDBError.corruptStore(table: "retractions", detail: "\(error)")
        }
      }
    }
  }

  /// The next operation id (1, 2, 3 …); never one the operations log already holds (a damaged
  /// `next_operation` would otherwise overwrite an operation).
  private func nextOperationID(_ txn: borrowing WriteTransaction) throws -> UInt64 {
    let meta = MetaStore(table: tables.meta)
    let id = (try meta.uint(txn, .nextOperation)) ?? 1
    if try operation(id, txn) != nil {
      throw FeatureDBError.corruptStore(
        table: "meta",
        detail: "next_operation names operation \(id), which exists ('fdb verify' lists the damage)"
      )
    }
    try meta.set(txn, .nextOperation, id &+ 1)
    return id
  }
}
