/// The change records of one transaction, collected while it works and written to the
/// `changes` table by ``flush(_:_:)`` before it commits, numbered after the last committed one.
///
/// Records are appended as bytes into one buffer (nothing is allocated per record); a chunk
/// boundary is noted every ``ChangeChunk/maxRecords`` records or ``ChangeChunk/maxPayload``
/// bytes.
struct ChangeLog {
  private var payload = ByteWriter(capacity: 0)
  /// (payload offset, record count) where each chunk but the first starts.
  private var cuts: [(offset: Int, count: Int)] = []
  private(set) var count = 0
  private var chunkStart = (offset: 0, count: 0)

  var isEmpty: Bool { count == 0 }

  private mutating func begin(_ kind: ChangeChunk.Kind, feature: UInt64) {
    if count - chunkStart.count == ChangeChunk.maxRecords
      || payload.bytes.count - chunkStart.offset >= ChangeChunk.maxPayload
    {
      chunkStart = (payload.bytes.count, count)
      cuts.append(chunkStart)
    }
    count += 1
    payload.byte(kind.rawValue)
    payload.varint(feature)
  }

  /// A version written (or a tombstone): its chain entry as `chains` holds it (version number,
  /// then `tail`). A value stored out of line stays in `values` only: it is not copied.
  mutating func written(
    feature: UInt64, entity: UInt64, version: UInt64, tail: ArraySlice<UInt8>
  ) {
    begin(.written, feature: feature)
    payload.varint(entity)
    payload.varint(version)
    payload.append(tail)
  }

  /// A version whose visibility an operation changed: hidden by rollback `operation`, or shown
  /// again by undo `operation` of rollback `undone`.
  mutating func status(
    _ kind: ChangeChunk.Kind, feature: UInt64, entity: UInt64, version: UInt64,
    operation: UInt64, undone: UInt64 = 0
  ) {
    begin(kind, feature: feature)
    payload.varint(entity)
    payload.varint(version)
    payload.varint(operation)
    if kind == .restored { payload.varint(undone) }
  }

  /// A version removed by retention: `.pruned` (max versions) or `.expired` (TTL vacuum).
  mutating func removed(_ kind: ChangeChunk.Kind, feature: UInt64, entity: UInt64, version: UInt64)
  {
    begin(kind, feature: feature)
    payload.varint(entity)
    payload.varint(version)
  }

  /// A feature defined or changed: its definition as `features` stores it.
  mutating func defined(feature: UInt64, definition: [UInt8]) {
    begin(.defined, feature: feature)
    payload.lengthPrefixed(definition)
  }

  /// Numbers the records after the last committed change and writes them in chunks stamped
  /// `time` (nil: now, and never before the last write time); then trims chunks older than
  /// the feed's retention (a few per transaction). Does nothing in a store without a feed.
  mutating func flush(
    _ store: FeatureStore, _ txn: borrowing WriteTransaction, time: Int64? = nil
  ) throws {
    guard !isEmpty, let table = store.tables.changes else { return }
    let meta = MetaStore(table: store.tables.meta)
    let feed = try ChangeFeedState.read(meta, txn)
    let time = try time ?? max(Timestamp.now.microseconds, meta.checkedLastWriteTime(txn) ?? .min)
    let bounds = [(0, 0)] + cuts.map { ($0.offset, $0.count) } + [(payload.bytes.count, count)]
    var sequence = feed.last &+ 1
    for (from, to) in zip(bounds, bounds.dropFirst()) {
      let value = ChangeChunk.encode(
        payload: payload.bytes[from.0..<to.0], count: to.1 - from.1, time: time,
        epoch: store.epoch, zstd: store.zstd)
      try table.put(txn, key: ChangeChunk.key(sequence), value: value, flags: .append)
      sequence &+= UInt64(to.1 - from.1)
    }
    try meta.set(txn, .lastChange, feed.last &+ UInt64(count))
    try store.trimExpiredChanges(feed, now: time, txn)
    self = ChangeLog()
  }
}
