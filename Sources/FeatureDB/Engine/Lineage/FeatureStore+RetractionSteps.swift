extension FeatureStore {
  /// One bounded step of marking the oldest pending retraction on the chains it covers;
  /// false when nothing is pending. The step and its progress commit together, so an
  /// interrupted retraction goes on where it stopped.
  ///
  /// A rule is applied in two phases: 0, what it covers by rule (a run's index, a feature's
  /// chains; an undo walks its rollback's), then 1, the versions it lists (value rollbacks,
  /// cascades). `resume` is the phase byte and the key to continue from.
  func applyRetractionStep(
    limit: Int, _ changed: inout [UInt64: [VersionRef]], counting count: inout Int,
    _ txn: borrowing WriteTransaction
  ) throws -> Bool {
    let v2 = try tables.lineage()
    guard let (op, rule) = try firstPendingRule(txn) else { return false }
    let catalog = try catalog(txn)
    let mode: ChainRetraction.Mode
    var target = (op: op, kind: rule.kind)
    if case .undo(let undone) = rule.kind {
      guard let undoneRule = try retractionRule(undone, txn) else {
        throw FeatureDBError.corruptStore(
          table: "retractions", detail: "undo \(op) names operation \(undone), which has no rule")
      }
      target = (undone, undoneRule.kind)
      mode = .restore(undone: undone) { catalog.retractions.hides($0, at: .max) }
    } else {
      mode = .retract(op: op, time: rule.time)
    }
    var next = rule
    var budget = limit
    var phase = rule.resume.first ?? 0
    var resume: [UInt8]? = rule.resume.count > 1 ? Array(rule.resume.dropFirst()) : nil
    var refs = changed[op] ?? []
    var changes = ChangeLog()
    /// Counts `versions` (whose status changed) after `work` entries were edited, and logs
    /// each change.
    func applied(_ f: Feature, _ entity: UInt64, _ versions: [UInt64], work: Int) throws {
      next.changed &+= UInt64(versions.count)
      count += versions.count
      budget -= max(1, work)
      for v in versions {
        if case .undo(let undone) = rule.kind {
          changes.status(
            .restored, feature: f.id, entity: entity, version: v, operation: op, undone: undone)
        } else {
          changes.status(.retracted, feature: f.id, entity: entity, version: v, operation: op)
        }
      }
      for v in versions where refs.count < 1_000 {
        refs.append(
          VersionRef(feature: f.name, entity: try entityTable.name(entity, txn), version: v))
      }
    }
    /// Applies the versions `target.op` lists, grouped by chain, from `resume` until the budget
    /// runs out; returns where to go on (nil: done).
    func applyListed(from resume: [UInt8]?) throws -> [UInt8]? {
      var group: [ListedVersion] = []
      var stoppedAt: (UInt64, UInt64, UInt64)?
      func flush() throws {
        guard let first = group.first else { return }
        let f = try catalog.feature(id: first.feature)
        let versions = Set(group.map(\.version))
        let edit = ChainRetraction(
          store: self, feature: f, entity: first.entity, mode: mode,
          covers: { versions.contains($0.version) })
        let hints = group.compactMap { l in l.eventTime.map { ($0, l.version) } }
        try applied(
          f, first.entity, try edit.apply(only: hints.count == group.count ? hints : nil, txn),
          work: group.count)
        group.removeAll()
      }
      try forEachListedVersion(target.op, txn, from: resume) { e, f, v, t in
        // A chain's versions are applied in groups of at most `limit`: a step stays bounded
        // however many versions of one chain are listed.
        if let g = group.first, g.entity != e || g.feature != f || group.count >= limit {
          try flush()
          if budget <= 0 {
            stoppedAt = (e, f, v)
            return false
          }
        }
        group.append(ListedVersion(entity: e, feature: f, version: v, eventTime: t))
        return true
      }
      try flush()
      return stoppedAt.map { Keys.ids(target.op, $0.0, $0.1, $0.2) }
    }
    if phase == 0 {
      switch target.kind {
      case .run(let symbol):
        // Chunk by chunk: every range of a chunk is one chain's versions.
        var stoppedAt: [UInt8]?
        try forEachRunChunk(symbol, txn, from: resume) { entity, key, chunk in
          guard budget > 0 else {
            stoppedAt = key
            return false
          }
          for r in chunk.ranges {
            let f = try catalog.feature(id: r.feature)
            let versions = r.first..<(r.first + r.count)
            let edit = ChainRetraction(
              store: self, feature: f, entity: entity, mode: mode,
              covers: { versions.contains($0.version) })
            try applied(f, entity, try edit.apply(only: nil, txn), work: Int(r.count))
          }
          return true
        }
        resume = stoppedAt
      case .feature(let id, let since):
        let f = try catalog.feature(id: id)
        resume = try applyFeatureChains(f, since: since, from: resume, mode: mode, txn) {
          try applied(f, $0, $1, work: $1.count)
        } budget: {
          budget -= 1
          return budget > 0
        }
      case .versions, .undo: resume = nil
      }
      if resume == nil { phase = 1 }
    }
    if phase == 1, budget > 0 {
      resume = try applyListed(from: resume)
      if resume == nil { phase = 2 }
    }
    changed[op] = refs
    if phase == 2 {
      next.pending = false
      next.resume = []
      if var o = try operation(op, txn) {
        o.versions = Int(clamping: next.changed)
        try record(o, txn)
      }
      try MetaStore(table: tables.meta).bumpCatalogVersion(txn)
    } else {
      next.resume = [phase] + (resume ?? [])
    }
    try v2.retractions.put(txn, key: Keys.ids(op), value: next.encoded())
    try changes.flush(self, txn)
    return true
  }

  /// The pending rule with the lowest operation id.
  private func firstPendingRule(_ txn: borrowing WriteTransaction) throws -> (
    UInt64, RetractionRule
  )? {
    var found: (UInt64, RetractionRule)?
    try forEachRetractionRule(txn) { op, rule in
      if rule.pending { found = (op, rule) }
      return found == nil
    }
    return found
  }

  /// Applies a feature rule to the feature's chains from `resume` (a `chains` key) while
  /// `budget` allows; returns where to continue, or nil when every chain is done.
  private func applyFeatureChains(
    _ f: Feature, since: Int64, from resume: [UInt8]?, mode: ChainRetraction.Mode,
    _ txn: borrowing WriteTransaction, _ applied: (UInt64, [UInt64]) throws -> Void,
    budget: () -> Bool
  ) throws -> [UInt8]? {
    let (entities, stoppedAt) = try chainEntities(of: f.id, from: resume, txn, while: budget)
    for e in entities {
      let edit = ChainRetraction(
        store: self, feature: f, entity: e, mode: mode, covers: { $0.writeTime > since })
      try applied(e, try edit.apply(only: nil, txn))
    }
    return stoppedAt
  }
}
