import FeatureDB
import Foundation

/// What a runner did to the pipeline state when it opened its prefix (see
/// ``PipelineRunner/stateRewind``): rewound it to before rolled-back runs, or restored what a
/// rewind replaced once their rollbacks were undone.
public struct StateRewind: Sendable, Hashable {
  /// Which way the state went.
  public enum Direction: String, Sendable, Hashable {
    /// Back to before the runs (their rollbacks).
    case rewound
    /// Forward again to what the runs left (undos of their rollbacks).
    case restored
  }

  /// Which way the state went.
  public var direction: Direction
  /// The runs, in the order they first committed.
  public var runs: [String]
  /// User states, source IP records and input checkpoints set back (or forward).
  public var records: Int
}

/// Rollback of a pipeline run, as seen by the pipeline state: every run saves, once, what it
/// found in each piece of state it changes (a ``PreRunRecord``), and keeps the ledger of the
/// prefix's runs (``RunLedger``). A runner opening its prefix rewinds the state to before the
/// runs rolled back since, or restores it when their rollbacks were undone, in one transaction,
/// before it reads its checkpoint (docs/pipeline.md, *Rollback of a run*).
extension PipelineRunner {

  /// The ledger of this prefix's runs (see ``RunLedger``).
  var ledgerName: String { RunLedger.name(prefix: prefix) }

  /// Reads the ledger (empty when there is none) from `snapshot`.
  func readLedger(_ snapshot: borrowing Snapshot) throws -> RunLedger {
    guard let bytes = try snapshot.checkpoint(ledgerName) else { return RunLedger() }
    return try RunLedger(decoding: bytes, prefix: options.prefix)
  }

  /// Brings the pipeline state in line with the rollbacks and undos of the prefix's runs now,
  /// as every run does before it reads its checkpoint, and returns what it did (nil: nothing
  /// to do; also when ``PipelineOptions/persist`` is off). Claims the prefix's state namespace
  /// while it works (see ``run(file:)``).
  ///
  /// ```swift
  /// _ = try db.rollback(.run("bad-run"), RollbackOptions(cascade: true))
  /// let rewind = try runner.applyRollbacks()   // .rewound, runs ["bad-run"]
  /// ```
  ///
  /// - Throws: ``PipelineError/rewindRefused(prefix:runs:blocking:reason:)`` when the state
  ///   cannot follow (a later run that is not rolled back, an undo that cannot be reapplied):
  ///   nothing is written; ``PipelineError/corruptState(_:)`` for a ledger or pre-run record
  ///   that does not decode; `FeatureDBError.resourceBusy` while a runner of the prefix runs;
  ///   store errors.
  public func applyRollbacks() throws -> StateRewind? {
    guard options.persist else { return nil }
    return try store.claiming(.namespace(namespace)) {
      try rewindState()
      return stateRewind
    }
  }

  /// Brings the pipeline state in line with the rollbacks and undos of the prefix's runs, in at
  /// most two transactions that each leave a consistent state (a restore, then a rewind), then
  /// removes the pre-run records the ledger dropped (bounded transactions, idempotent):
  ///
  /// - a run whose rollback was undone after a rewind gets back what the rewind replaced, when
  ///   every run rewound with it is no longer rolled back and nothing committed since;
  /// - the runs rolled back and not rewound yet are rewound together, to before the first of
  ///   them, when every run that committed after that is rolled back too.
  ///
  /// Leaves the ledger in ``ledger``.
  ///
  /// - Throws: ``PipelineError/rewindRefused(prefix:runs:blocking:reason:)`` (nothing written)
  ///   otherwise; ``PipelineError/corruptState(_:)`` for a ledger or record that does not
  ///   decode; store errors (nothing written).
  func rewindState() throws {
    stateRewind = nil
    var ledger = try store.read { try readLedger($0) }
    var status: [String: Run.Status] = [:]
    for e in ledger.runs { status[e.run] = try store.run(e.run)?.status }
    func rolledBack(_ run: String) -> Bool { status[run] == .rolledBack }

    // Undos after a rewind: the group rewound together comes back whole, or not at all.
    let undone = ledger.runs.filter { $0.rewound != nil && !rolledBack($0.run) }
    for epoch in Set(undone.map { $0.rewound! }).sorted() {
      let group = ledger.runs.filter { $0.rewound == epoch }
      let back = group.filter { !rolledBack($0.run) }.map(\.run)
      let still = group.filter { rolledBack($0.run) }.map(\.run)
      guard still.isEmpty else {
        throw PipelineError.rewindRefused(
          prefix: options.prefix, runs: back, blocking: still,
          reason:
            "the rollback was undone, but the state was rewound together with \(list(still)), "
            + "still rolled back; undo \(still.count == 1 ? "its" : "their") rollback too, "
            + "or roll back \(list(back)) again")
      }
      guard epoch == ledger.epoch else {
        let since = ledger.runs.filter { $0.last > epoch }.map(\.run)
        throw PipelineError.rewindRefused(
          prefix: options.prefix, runs: back, blocking: since,
          reason:
            "the rollback was undone after the state was rewound past it"
            + (since.isEmpty ? "" : " and \(list(since)) committed since")
            + "; the state cannot hold both, roll back \(list(back)) again")
      }
      try move(group.map(\.run), forward: true, &ledger)
    }

    let rewinding = ledger.runs.filter { $0.rewound == nil && rolledBack($0.run) }
    let unkept = rewinding.filter { $0.records != nil }.map(\.run)
    guard unkept.isEmpty else {
      throw PipelineError.rewindRefused(
        prefix: options.prefix, runs: unkept, blocking: [],
        reason:
          "the state \(unkept.count == 1 ? "it" : "they") found is no longer kept (a prefix keeps "
          + "it for its latest runs, PipelineOptions.rewindableRuns); undo the rollback, or "
          + "rerun the inputs under a new --prefix")
    }
    if let from = rewinding.map(\.first).min() {
      let later = ledger.runs.filter { $0.rewound == nil && !rolledBack($0.run) && $0.last > from }
      guard later.isEmpty else {
        throw PipelineError.rewindRefused(
          prefix: options.prefix, runs: rewinding.map(\.run), blocking: later.map(\.run),
          reason:
            "\(list(later.map(\.run))) committed after \(rewinding.count == 1 ? "it" : "them") and "
            + (later.count == 1 ? "is" : "are")
            + " not rolled back, so the state holds what both wrote; roll back "
            + "\(list(later.map(\.run))) too (fdb rollback --run), or undo the rollback")
      }
      try move(rewinding.map(\.run), forward: false, &ledger)
    }
    try removeDroppedRecords(&ledger)
    self.ledger = ledger
  }

  /// Removes the pre-run records the ledger dropped, at most 10,000 per transaction (each
  /// removal is final and a record is only ever removed, so a start killed part-way is finished
  /// by the next), then marks them removed.
  private func removeDroppedRecords(_ ledger: inout RunLedger) throws {
    let dropped = ledger.runs.indices.filter { ledger.runs[$0].records == "dropped" }
    guard !dropped.isEmpty else { return }
    for i in dropped {
      let prefix = PreRunRecord.prefix(namespace: namespace, run: ledger.runs[i].run)
      while true {
        let names = try store.checkpoints(prefix: prefix, limit: 10_000).map(\.name)
        if names.isEmpty { break }
        var batch = WriteBatch()
        for name in names { batch.removeCheckpoint(name) }
        try store.commit(batch)
      }
      ledger.runs[i].records = "removed"
    }
    var batch = WriteBatch()
    batch.setCheckpoint(ledgerName, ledger.encoded())
    try store.commit(batch)
  }

  private func list(_ runs: [String]) -> String {
    (runs.count == 1 ? "run " : "runs ") + runs.map { "'\($0)'" }.joined(separator: ", ")
  }

  /// Rewinds (`forward` false) the state to before `runs`, or restores (`forward` true) what
  /// their rewind replaced, with the ledger, in one transaction.
  private func move(_ runs: [String], forward: Bool, _ ledger: inout RunLedger) throws {
    // Read every record and the current bytes of every piece they name in one snapshot.
    var records: [(name: String, record: PreRunRecord, current: [UInt8]?)] = []
    try store.read { s in
      for run in runs {
        for (name, bytes) in try s.checkpoints(
          prefix: PreRunRecord.prefix(namespace: namespace, run: run))
        {
          let r = try PreRunRecord(decoding: bytes, record: name)
          let current: [UInt8]? =
            switch r.kind {
            case .user: try s.state(entity: r.name, namespace: namespace)
            case .source: try s.state(entity: r.name, namespace: sourceNamespace)
            case .checkpoint: try s.checkpoint(r.name)
            }
          records.append((name, r, current))
        }
      }
    }
    // Rewinding: of two records of one piece the older one wins (written last); restoring:
    // every record of a piece holds the same bytes, what the rewind replaced.
    records.sort { $0.record.epoch > $1.record.epoch }
    var batch = WriteBatch()
    for (name, r, current) in records {
      var saved = r
      let target: [UInt8]?
      if forward {
        guard let after = r.after else {
          throw PipelineError.corruptState(
            "pre-run record '\(name)' of a rewound run holds no rewound bytes")
        }
        target = after
        saved.after = nil
      } else {
        target = r.before
        saved.after = .some(current)
      }
      switch r.kind {
      case .user, .source:
        let ns = r.kind == .user ? namespace : sourceNamespace
        if let target {
          batch.setState(target, entity: r.name, namespace: ns)
        } else {
          batch.removeState(entity: r.name, namespace: ns)
        }
      case .checkpoint:
        if let target {
          batch.setCheckpoint(r.name, target)
        } else {
          batch.removeCheckpoint(r.name)
        }
      }
      batch.setCheckpoint(name, saved.encoded())
    }
    ledger.epoch += 1
    for i in ledger.runs.indices where runs.contains(ledger.runs[i].run) {
      ledger.runs[i].rewound = forward ? nil : ledger.epoch
    }
    batch.setCheckpoint(ledgerName, ledger.encoded())
    try store.commit(batch)
    stateRewind = StateRewind(
      direction: forward ? .restored : .rewound, runs: runs, records: records.count)
  }

  /// Prepares the invocation of run `runID` to save what it changes: its epoch, whether it may
  /// have saved pieces already, and the input checkpoint's pre-run record when it has none.
  func prepareSaving(runID: String) throws {
    runEpoch = ledger.epoch + 1
    ledgerPending = true
    preRunPrefix = PreRunRecord.prefix(namespace: namespace, run: runID)
    savedMayExist = ledger.runs.contains { $0.run == runID }
    checkpointBefore = nil
    guard let input = inputCheckpoint else { return }
    if try !saved(.checkpoint, input.name) { checkpointBefore = .some(input.bytes) }
  }

  /// Whether the running run has saved the piece already (looked up only when it may have).
  func saved(_ kind: PreRunRecord.Kind, _ name: String) throws -> Bool {
    guard savedMayExist else { return false }
    return try store.checkpoint(PreRunRecord.name(kind, name, prefix: preRunPrefix)) != nil
  }

  /// The same, read in `snapshot`.
  func saved(_ kind: PreRunRecord.Kind, _ name: String, in snapshot: borrowing Snapshot) throws
    -> Bool
  {
    guard savedMayExist else { return false }
    return try snapshot.checkpoint(PreRunRecord.name(kind, name, prefix: preRunPrefix)) != nil
  }

  /// Adds to `batch` the ledger (in the invocation's first commit) and the pre-run records of
  /// the pieces the batch changes for the first time in the run.
  func addPreRunRecords(to batch: inout WriteBatch) {
    if ledgerPending {
      ledger.record(report.runID, at: runEpoch, keeping: options.rewindableRuns)
      batch.setCheckpoint(ledgerName, ledger.encoded())
      ledgerPending = false
    }
    func save(_ kind: PreRunRecord.Kind, _ name: String, _ before: [UInt8]?) {
      batch.setCheckpoint(
        PreRunRecord.name(kind, name, prefix: preRunPrefix),
        PreRunRecord(kind: kind, epoch: runEpoch, name: name, before: before).encoded())
    }
    for u in dirty where u.unsaved {
      save(.user, u.id, u.preRun)
      u.unsaved = false
      u.preRun = nil
    }
    for key in changedSources {
      if let before = sourcesBefore.removeValue(forKey: key) { save(.source, key, before) }
    }
    if let before = checkpointBefore, let input = inputCheckpoint {
      save(.checkpoint, input.name, before)
      checkpointBefore = nil
    }
  }
}
