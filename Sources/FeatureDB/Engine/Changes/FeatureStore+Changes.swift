extension FeatureStore {
  /// The changes committed after sequence number `after` (0: from the start), at most `limit`,
  /// in commit order; only those of `features` when given. Pass the page's
  /// ``ChangePage/next`` as `after` to read on. See ``Snapshot/changes(after:limit:features:)``.
  public func changes(after: UInt64, limit: Int = 1_000, features: Set<String>? = nil) throws
    -> ChangePage
  {
    try read { try $0.changes(after: after, limit: limit, features: features) }
  }

  /// The sequence number of the last committed change (0: none yet).
  public func lastChange() throws -> UInt64 {
    try read { try $0.lastChange() }
  }

  /// Follows the feed from `after`: every change committed after it, by this process or any
  /// other, in commit order, waiting for new ones (checking every `pollInterval`). Ends when
  /// the task is cancelled; throws ``FeatureDBError/changesTrimmed(after:oldest:)`` when the
  /// consumer falls behind the feed's retention.
  public func follow(
    after: UInt64, features: Set<String>? = nil, pollInterval: Duration = .milliseconds(20)
  ) -> ChangeFeed {
    ChangeFeed(store: self, after: after, features: features, pollInterval: pollInterval)
  }

  /// Removes every change numbered below `sequence` from the feed; a consumer whose cursor is
  /// older gets ``FeatureDBError/changesTrimmed(after:oldest:)``. Returns the records removed.
  @discardableResult
  public func trimChanges(before sequence: UInt64) throws -> UInt64 {
    try writeTransaction("trim changes") { txn in
      guard let table = tables.changes else { return 0 }
      let meta = MetaStore(table: tables.meta)
      let feed = try ChangeFeedState.read(meta, txn)
      guard sequence <= feed.last &+ 1 else {
        throw FeatureDBError.invalidArgument(
          "cannot trim before change \(sequence): the last change is \(feed.last)")
      }
      guard sequence > feed.trimmed &+ 1 else { return 0 }
      let cursor = try Cursor(table, txn)
      var entry = try cursor.first()
      while let (key, value) = entry {
        let (first, count, _) = try chunkHeader(key, value)
        guard first &+ UInt64(count) <= sequence else { break }
        try cursor.deleteCurrent()
        entry = try cursor.next()
      }
      try meta.set(txn, .changesTrimmed, sequence - 1)
      return sequence - 1 - feed.trimmed
    }
  }

  /// How long the feed keeps changes (nil: every change until trimmed by hand). A store that
  /// never set it keeps seven days.
  public func changeRetention() throws -> TimeSpan? {
    try readTransaction { txn in
      try ChangeFeedState.read(MetaStore(table: tables.meta), txn).retention
    }
  }

  /// Sets how long the feed keeps changes (nil: keep every one). Each later write trims a few
  /// chunks older than that; ``trimChanges(before:)`` trims at once.
  public func setChangeRetention(_ retention: TimeSpan?) throws {
    if let r = retention, r.microseconds <= 0 {
      throw FeatureDBError.invalidArgument("change retention must be positive, got \(r)")
    }
    try writeTransaction("set change retention") { txn in
      try MetaStore(table: tables.meta).set(
        txn, .changeRetention, UInt64(retention?.microseconds ?? 0))
    }
  }
}
