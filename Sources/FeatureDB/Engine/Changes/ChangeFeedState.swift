/// Where the change feed stands, from `meta`: the last sequence number given, how far it was
/// trimmed, and how long it keeps records.
struct ChangeFeedState {
  /// The sequence number of the last committed change (0: none yet).
  var last: UInt64
  /// Every change numbered at or below this is no longer in the feed (trimmed, or before an
  /// upgrade from format 2).
  var trimmed: UInt64
  /// Chunks committed longer ago than this are trimmed by later writes; nil keeps every one.
  var retention: TimeSpan?

  /// Retention of a store that never set one: seven days, as Kafka keeps a topic.
  static let defaultRetention = TimeSpan.days(7)

  static func read(_ meta: MetaStore, _ txn: borrowing some Transaction & ~Copyable) throws
    -> ChangeFeedState
  {
    let last = try meta.uint(txn, .lastChange) ?? 0
    let trimmed = try meta.uint(txn, .changesTrimmed) ?? 0
    guard trimmed <= last else {
      throw FeatureDBError.corruptStore(
        table: "meta", detail: "changes_trimmed \(trimmed) is beyond last_change \(last)")
    }
    let retention: TimeSpan?
    switch try meta.uint(txn, .changeRetention) {
    case nil: retention = defaultRetention
    case 0: retention = nil
    case let r?:
      guard r < 1 << 62 else {
        throw FeatureDBError.corruptStore(
          table: "meta", detail: "change_retention \(r) is out of range")
      }
      retention = TimeSpan(microseconds: Int64(r))
    }
    return ChangeFeedState(last: last, trimmed: trimmed, retention: retention)
  }
}

extension FeatureStore {
  /// Most chunks one write transaction trims by retention, so no write pays for a long backlog
  /// (``trimChanges(before:)`` removes any number).
  static let trimsPerTransaction = 8

  /// Removes the oldest chunks committed before `now` − retention, at most
  /// ``trimsPerTransaction`` of them.
  func trimExpiredChanges(_ feed: ChangeFeedState, now: Int64, _ txn: borrowing WriteTransaction)
    throws
  {
    guard let retention = feed.retention, let table = tables.changes else { return }
    let horizon = now &- retention.microseconds
    let cursor = try Cursor(table, txn)
    var trimmed = feed.trimmed
    var entry = try cursor.first()
    var removed = 0
    while let (key, value) = entry, removed < Self.trimsPerTransaction {
      let (first, count, time) = try chunkHeader(key, value)
      guard time < horizon else { break }
      trimmed = max(trimmed, first &+ UInt64(count) &- 1)
      try cursor.deleteCurrent()
      removed += 1
      entry = try cursor.next()
    }
    if removed > 0 { try MetaStore(table: tables.meta).set(txn, .changesTrimmed, trimmed) }
  }

  /// A chunk's first sequence number, record count and commit time, read from its key and
  /// header without decompressing it.
  func chunkHeader(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> (
    UInt64, Int, Int64
  ) {
    do {
      guard let first = ChangeChunk.sequence(key) else { throw DecodeError("key is not 8 bytes") }
      var r = ByteReader(value)
      _ = try r.byte()
      let count = try r.count(limit: ChangeChunk.maxRecords)
      let time = try r.signedVarint()
      return (first, count, time.addingReportingOverflow(epoch).partialValue)
    } catch let error as DecodeError {
      throw FeatureDBError.corruptStore(table: "changes", detail: error.description)
    }
  }
}
