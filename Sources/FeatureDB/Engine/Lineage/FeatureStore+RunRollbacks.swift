extension FeatureStore {
  // MARK: - Rollbacks of a run

  /// The rollbacks that cover a version run `id` wrote, oldest first, undone ones included: a
  /// rollback of the run itself; a feature rollback (`since`) whose window holds a write of the
  /// run to that feature; a rollback listing one of its versions (a value rollback, or a
  /// cascade from another run's versions).
  ///
  /// A feature rollback is matched by the run's first and last write of the feature
  /// (`run_features`): it is listed when they overlap its window, which for a run that wrote the
  /// feature both before and after the window, but not within it, lists one that covers none.
  ///
  /// - Throws: ``FeatureDBError/unknownRun(_:)``.
  public func rollbacks(ofRun id: String) throws -> [OperationRecord] {
    try readTransaction { txn in
      let (symbol, _) = try existingRun(id, txn)
      var out: [OperationRecord] = []
      var ranges: [UInt64: [RunIndexChunk.Range]] = [:]  // the run's, by entity
      try forEachRetractionRule(txn) { op, rule in
        var touches: Bool
        switch rule.kind {
        case .undo: return true
        case .run(let run): touches = run == symbol
        case .feature(let f, let since):
          touches =
            try runWindow(symbol, feature: f, txn).map {
              $0.lastWrite > since && $0.firstWrite <= rule.time
            } ?? false
        case .versions: touches = false
        }
        if !touches { touches = try listsVersion(of: symbol, op, &ranges, txn) }
        if touches, let o = try operation(op, txn) { out.append(o) }
        return true
      }
      return out
    }
  }

  /// The run's counts of a feature (first and last write), or nil when it wrote none.
  private func runWindow(
    _ run: UInt64, feature: UInt64, _ txn: borrowing some Transaction & ~Copyable
  ) throws -> IndexCounts.Counts? {
    guard let table = tables.v2?.runFeatures else { return nil }
    return try Keys.ids(run, feature).withUnsafeBytes { k in
      try table.withValue(txn, key: k) { v in
        guard let v else { return nil }
        do { return try IndexCounts.decode(v) } catch {
          throw FeatureDBError.undecodable(table, key: k)
        }
      }
    }
  }

  /// Whether operation `op` lists a version run `run` wrote: its listed versions are checked
  /// against the run's index until one is found. `ranges` keeps the run's ranges of each entity
  /// read, for the next operations.
  private func listsVersion(
    of run: UInt64, _ op: UInt64, _ ranges: inout [UInt64: [RunIndexChunk.Range]],
    _ txn: borrowing some Transaction & ~Copyable
  ) throws -> Bool {
    var found = false
    try forEachListedVersion(op, txn) { e, f, v, _ in
      if ranges[e] == nil { ranges[e] = try runRanges(run, entity: e, txn) }
      found = ranges[e]!.contains { $0.contains(feature: f, version: v) }
      return !found
    }
    return found
  }
}
