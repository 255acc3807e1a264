extension FeatureStore {
  /// Confirms that `key` is really absent from `table` after LMDB said "not found" in the read
  /// snapshot `txn` (``Environment/probe(_:key:_:)``): a damaged page can make LMDB's search miss a
  /// key that is there, and a read must then say "corrupt", never "no value".
  ///
  /// `probed`: what ``checkPath(_:key:_:)`` found for this key in `txn`, so the path is not
  /// read twice.
  ///
  /// - Throws: ``FeatureDBError/corruptStore(table:detail:)`` naming the page.
  func confirmAbsent(
    _ table: Table, key: UnsafeRawBufferPointer, _ txn: borrowing some Transaction & ~Copyable,
    probed: ProbeResult? = nil
  ) throws {
    switch probed ?? env.probe(table.name, key: key, txn) {
    case nil, .absent?: return
    case .present(let page)?:
      throw FeatureDBError.corruptStore(
        table: table.name,
        detail:
          "a key LMDB's search did not find is on page \(page): a page on its path is damaged; run 'fdb verify'"
      )
    case .damaged(let page, let message)?:
      throw FeatureDBError.corruptStore(
        table: table.name,
        detail: "\(page.map { "page \($0): " } ?? "")\(message); run 'fdb verify'")
    }
  }

  /// ``confirmAbsent(_:key:_:)`` for a byte array key.
  func confirmAbsent(
    _ table: Table, key: [UInt8], _ txn: borrowing some Transaction & ~Copyable,
    probed: ProbeResult? = nil
  ) throws {
    try key.withUnsafeBytes { try confirmAbsent(table, key: $0, txn, probed: probed) }
  }
}

extension FeatureStore {
  /// Walks the pages of data.mdb (every table, or the tables named in `tables`) in one read
  /// snapshot, as ``verify(maxProblems:progress:)`` does first, and throws at the first damaged
  /// page. Commands that go on to read whole tables through LMDB (export, compact, vacuum, prune,
  /// stats) call it first, so damage is an error rather than a crash or a short result.
  ///
  /// Cost: one read of every page of the tables walked.
  ///
  /// - Throws: ``FeatureDBError/damagedStore(path:detail:)``.
  public func checkStructure(tables: [String]? = nil) throws {
    let report = try structureSnapshot("the structure check") { txn in
      try env.checkStructure(txn, maxProblems: 1, only: tables.map(Set.init))
    }
    if let first = report.problems.first {
      throw FeatureDBError.damagedStore(path: path, detail: first.description)
    }
  }

  /// Runs `body` in a read snapshot, again in a newer one while it returns nil (the structure
  /// walk could not read the snapshot's meta page: writers moved past it), at most five times.
  ///
  /// - Throws: ``FeatureDBError/invalidArgument(_:)`` naming `what` when no try succeeded.
  func structureSnapshot<R>(
    _ what: String, _ body: (borrowing ReadTransaction) throws -> R?
  ) throws -> R {
    for _ in 0..<5 {
      if let result = try readTransaction(body) { return result }
    }
    throw FeatureDBError.invalidArgument(
      "\(what) could not take a snapshot: writers committed faster than it could read the meta page; retry"
    )
  }

  /// With ``StoreOptions/checkPages``: checks the pages on `key`'s path in `table` before LMDB
  /// searches it, so a damaged page is ``FeatureDBError/corruptStore(table:detail:)``, not a crash.
  /// Returns what the probe found (nil without `checkPages`), for ``confirmAbsent(_:key:_:probed:)``.
  @discardableResult
  func checkPath(
    _ table: Table, key: UnsafeRawBufferPointer, _ txn: borrowing some Transaction & ~Copyable
  ) throws -> ProbeResult? {
    guard options.checkPages else { return nil }
    let result = env.probe(table.name, key: key, txn)
    if case .damaged(let page, let message)? = result {
      throw FeatureDBError.corruptStore(
        table: table.name,
        detail: "\(page.map { "page \($0): " } ?? "")\(message); run 'fdb verify'")
    }
    return result
  }
}

extension FeatureStore {
  /// Walks every page of the snapshot `txn` reads (``Environment/checkStructure(_:maxProblems:only:)``)
  /// and throws at the first damaged one; exports call it first so damage fails the export
  /// instead of writing a short file.
  ///
  /// - Throws: ``FeatureDBError/damagedStore(path:detail:)``.
  func requireSoundPages(_ txn: borrowing some Transaction & ~Copyable) throws {
    if let first = try env.checkStructure(txn, maxProblems: 1)?.problems.first {
      throw FeatureDBError.damagedStore(path: path, detail: first.description)
    }
  }
}
