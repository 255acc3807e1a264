/// Reads the segments of one chain (its older entries) in chain order: newest segment first.
/// Records are lent from the map and stay valid for the whole read transaction.
struct SegmentCursor: ~Copyable {
  private let cursor: Cursor
  private let chainKey: [UInt8]

  init(_ table: Table, chainKey: [UInt8], _ txn: borrowing some Transaction & ~Copyable) throws {
    cursor = try Cursor(table, txn)
    self.chainKey = chainKey
  }

  private func ours(_ e: Cursor.Entry?) -> UnsafeRawBufferPointer? {
    guard let e, Keys.isSegment(e.key, of: chainKey) else { return nil }
    return e.value
  }

  /// The newest segment.
  func first() throws -> UnsafeRawBufferPointer? {
    try ours(chainKey.withUnsafeBytes { try cursor.seek($0) })
  }

  /// The newest segment holding an entry at or before (`eventTime`, `version`) in chain order:
  /// with the default version, the newest holding an entry with event time ≤ `eventTime`.
  func seek(eventTime: Int64, version: UInt64 = .max) throws -> UnsafeRawBufferPointer? {
    let k = Keys.segment(chain: chainKey, lastEventTime: eventTime, lastVersion: version)
    return try ours(k.withUnsafeBytes { try cursor.seek($0) })
  }

  /// The next older segment.
  func next() throws -> UnsafeRawBufferPointer? { try ours(cursor.next()) }
}

extension FeatureStore {
  /// Calls `body` with each record of a chain in order — the head, then every segment — until
  /// it returns false.
  func forEachRecord(
    head: ChainRecord.Reader, _ feature: Feature, entityID: UInt64,
    _ txn: borrowing some Transaction & ~Copyable, _ body: (ChainRecord.Reader) throws -> Bool
  ) throws {
    guard try body(head), head.header.segments != nil, let table = tables.v2?.segments
    else { return }
    let segments = try SegmentCursor(
      table, chainKey: Keys.chain(entity: entityID, feature: feature.id), txn)
    var record = try segments.first()
    while let r = record {
      let reader = try ChainRecord.Reader(r, format: feature.format, epoch: epoch)
      guard try body(reader) else { return }
      record = try segments.next()
    }
  }
}

extension Snapshot {
  /// ``FeatureStore/forEachRecord(head:_:entityID:_:_:)`` in this snapshot.
  func forEachRecord(
    head: ChainRecord.Reader, _ feature: Feature, entityID: UInt64,
    _ body: (ChainRecord.Reader) throws -> Bool
  ) throws {
    try store.forEachRecord(head: head, feature, entityID: entityID, self, body)
  }
}

extension FeatureStore {
  /// The entities that have a chain of feature `featureID`, in key order from `resume` (a
  /// `chains` key) while `more()` allows each next one, and the key to go on from (nil: done).
  /// Keys are entity-major, so this reads the whole `chains` table.
  func chainEntities(
    of featureID: UInt64, from resume: [UInt8]? = nil,
    _ txn: borrowing some Transaction & ~Copyable, while more: () -> Bool = { true }
  ) throws -> (entities: [UInt64], resume: [UInt8]?) {
    var entities: [UInt64] = []
    let cursor = try Cursor(tables.chains, txn)
    var entry =
      try resume.map { r in try r.withUnsafeBytes { try cursor.seek($0) } } ?? cursor.first()
    while let (key, _) = entry {
      if let (e, f) = Keys.parseChain(key), f == featureID {
        guard more() else { return (entities, Array(key)) }
        entities.append(e)
      }
      entry = try cursor.next()
    }
    return (entities, nil)
  }
}
