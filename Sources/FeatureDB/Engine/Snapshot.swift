/// A consistent read view of the store: every read through one snapshot sees the same committed
/// state, however many writes commit meanwhile. Get one with ``FeatureStore/read(_:)-3mz9y``.
///
/// ```swift
/// let (spend, clicks) = try db.read { snap in
///   (try snap.latest("user.spend_7d", "u1", as: Double.self),
///    try snap.latest("user.clicks_1h", "u1", as: Int.self))
/// }
/// ```
///
/// - Warning: a snapshot is valid only inside the closure that receives it (it cannot be copied
///   or stored). Keep snapshots short: an open snapshot keeps old pages from being reused.
public struct Snapshot: Transaction, ~Copyable {
  let handle: OpaquePointer
  let store: FeatureStore
  let catalog: Catalog
  /// The time latest reads and TTL checks use: when the snapshot began.
  public let now: Timestamp

  /// Which version a read wants.
  struct Query {
    /// Only versions with eventTime ≤ upper.
    var upper: Int64
    /// TTL is evaluated at this time: versions with eventTime < reference − ttl are expired.
    var reference: Int64
    /// Only versions written at or before this time.
    var writeTime: Int64?
  }

  func query(eventTime: Timestamp?, writeTime: Timestamp?) throws -> Query {
    if let t = eventTime, !t.isValid { throw FeatureDBError.timeOutOfRange("as-of event time", t) }
    if let w = writeTime, !w.isValid { throw FeatureDBError.timeOutOfRange("as-of write time", w) }
    if let t = eventTime {
      return Query(
        upper: t.microseconds, reference: t.microseconds, writeTime: writeTime?.microseconds)
    }
    return Query(
      upper: .max, reference: (writeTime ?? now).microseconds, writeTime: writeTime?.microseconds)
  }

  // MARK: - Finding the version

  /// A chain entry found by a read, with what is needed to decode it. Valid only inside the
  /// closure it is lent to (it points into the map).
  struct Hit {
    let feature: Feature
    let entity: String
    let entityID: UInt64
    let reader: ChainRecord.Reader
    let entry: ChainRecord.Entry
  }

  /// The number of `entity`, nil when it was never written. A miss is confirmed not to be a
  /// damaged page (and with ``StoreOptions/checkPages`` the path is checked first), so damage
  /// is an error, never "no value".
  func entityID(_ entity: String) throws -> UInt64? {
    // A cached id was read from sound pages before; only a lookup in LMDB needs the checks.
    if let id = store.entityTable.cache.get(entity) { return id }
    let key = Array(entity.utf8)
    let probed = try key.withUnsafeBytes {
      try store.checkPath(store.entityTable.forward, key: $0, self)
    }
    guard let id = try store.entityTable.lookup(entity, self) else {
      try store.confirmAbsent(store.entityTable.forward, key: key, self, probed: probed)
      return nil
    }
    return id
  }

  /// Lends the chain record at `key` to `body` (nil: none, confirmed absent as
  /// ``entityID(_:)`` does).
  func withChainRecord<R>(
    _ key: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer?) throws -> R
  ) throws -> R {
    let probed = try store.checkPath(store.tables.chains, key: key, self)
    return try store.tables.chains.withValue(self, key: key) { record in
      if record == nil {
        try store.confirmAbsent(store.tables.chains, key: key, self, probed: probed)
      }
      return try body(record)
    }
  }

  /// Finds the version `query` selects and lends it to `body` (nil: no version).
  func resolve<R>(_ feature: Feature, _ entity: String, _ query: Query, _ body: (Hit?) throws -> R)
    throws -> R
  {
    guard let entityID = try entityID(entity) else { return try body(nil) }
    return try withChain(feature, entityID: entityID, entity: entity) { reader in
      try select(reader, feature, entity, entityID, query, body)
    }
  }

  /// Picks the version `query` selects from a chain (nil: the pair has no chain): the first
  /// visible entry at or before the query's event time, in the head or, when the head has
  /// none, in the segment an as-of read seeks to and the ones after it.
  func select<R>(
    _ chain: ChainRecord.Reader?, _ feature: Feature, _ entity: String, _ entityID: UInt64,
    _ query: Query,
    _ body: (Hit?) throws -> R
  ) throws -> R {
    guard let head = chain else { return try body(nil) }
    let lowest = feature.ttl.map { query.reference &- $0 } ?? .min
    var reader = head
    var found = try firstVisible(&reader, query, lowest: lowest, feature.id, entityID)
    if found == nil, head.header.segments != nil, let table = store.tables.v2?.segments {
      let segments = try SegmentCursor(
        table, chainKey: Keys.chain(entity: entityID, feature: feature.id), self)
      // An as-of read seeks past segments newer than its time; a retracted or later-written
      // head entry sends it to the newest segment.
      var record =
        query.upper < reader.lastEventTime
        ? try segments.seek(eventTime: query.upper) : try segments.first()
      while found == nil, let r = record {
        reader = try ChainRecord.Reader(r, format: feature.format, epoch: store.epoch)
        found = try firstVisible(&reader, query, lowest: lowest, feature.id, entityID)
        if found == nil, reader.lastEventTime < lowest { break }  // the rest is expired
        record = try segments.next()
      }
    }
    if let e = found, e.eventTime < lowest { found = nil }  // expired
    try checkRemovedHistory(
      head.header, found: found, query: query, lowest: lowest, feature, entity)
    return try body(
      found.map {
        Hit(feature: feature, entity: entity, entityID: entityID, reader: reader, entry: $0)
      })
  }

  /// The first entry of `reader` that `query` can see (not retracted, at or before its event
  /// and write times); stops at one older than `lowest` (expired, returned as found).
  private func firstVisible(
    _ reader: inout ChainRecord.Reader, _ query: Query, lowest: Int64, _ feature: UInt64,
    _ entity: UInt64
  ) throws -> ChainRecord.Entry? {
    while let e = try reader.next() {
      if e.eventTime > query.upper { continue }
      if let w = query.writeTime, e.writeTime > w { continue }
      if try isRetracted(e, reader, entity: entity, feature: feature, at: query.writeTime) {
        if e.eventTime < lowest { return nil }
        continue
      }
      return e
    }
    return nil
  }

  /// Lends the chain record of (feature, entity) to `body`, mapping decode errors to
  /// ``FeatureDBError/corruptRecord(feature:entity:version:detail:)``.
  func withChain<R>(
    _ feature: Feature, entityID: UInt64, entity: String, _ body: (ChainRecord.Reader?) throws -> R
  ) throws -> R {
    try corruptionNamed(feature, entity) {
      try Keys.withChain(entity: entityID, feature: feature.id) { k in
        try withChainRecord(k) { buffer in
          try body(
            try buffer.map {
              try ChainRecord.Reader($0, format: feature.format, epoch: store.epoch)
            })
        }
      }
    }
  }

  /// Throws when a version removed by pruning or vacuum could be the answer instead of `found`.
  private func checkRemovedHistory(
    _ header: ChainRecord.Header, found: ChainRecord.Entry?, query: Query, lowest: Int64,
    _ feature: Feature, _ entity: String
  ) throws {
    // A removed version can win only with eventTime in [lo, upper]; retained ones beat it on ties.
    let lo = max(lowest, found.map { $0.eventTime &+ 1 } ?? .min)
    func overlaps(_ r: ChainRecord.RemovedRange?) -> Bool {
      guard let r else { return false }
      // A read at a write time before every removed version was written never saw any of them.
      if let w = query.writeTime, !r.written(by: w) { return false }
      return r.maxEventTime >= lo && r.minEventTime <= query.upper
    }
    if overlaps(header.pruned) {
      throw FeatureDBError.historyPruned(
        feature: feature.name, entity: entity, removed: Int(header.pruned!.count))
    }
    if overlaps(header.vacuumed) {
      throw FeatureDBError.historyVacuumed(
        feature: feature.name, entity: entity, removed: Int(header.vacuumed!.count))
    }
  }

  func corruptionNamed<R>(
    _ feature: Feature, _ entity: String, version: UInt64? = nil, _ body: () throws -> R
  ) throws -> R {
    do {
      return try body()
    } catch let error as DecodeError {
      throw FeatureDBError.corruptRecord(
        feature: feature.name, entity: entity, version: version, detail: error.description)
    }
  }

  // MARK: - Decoding entries

  /// The value of a hit (nil for a tombstone).
  func value(of hit: Hit) throws -> FeatureValue? {
    let (entry, feature) = (hit.entry, hit.feature)
    return try corruptionNamed(feature, hit.entity, version: entry.version) { () -> FeatureValue? in
      switch entry.kind {
      case .tombstone: return nil
      case .inline: return try hit.reader.inlineValue(entry)
      case .external:
        let key = Keys.value(
          chain: Keys.chain(entity: hit.entityID, feature: feature.id), version: entry.version)
        return try key.withUnsafeBytes { k in
          try store.tables.values.withValue(self, key: k) { record in
            guard let record else { throw DecodeError("value record is missing") }
            let canonical = try store.storedCanonical(record, feature, self)
            return try canonical.withUnsafeBytes { try ValueCodec.decode(feature.format, $0) }
          }
        }
      }
    }
  }

  /// The full version of a hit, lineage resolved to names.
  func version(of hit: Hit) throws -> Version {
    let (entry, feature, entity) = (hit.entry, hit.feature, hit.entity)
    let value = try value(of: hit)
    let retractedBy = try corruptionNamed(feature, entity, version: entry.version) {
      try retractions(
        entry, hit.reader, entity: hit.entityID, feature: feature.id, at: nil
      ).last
    }
    let lineage = try lineage(of: entry, in: hit.reader.buffer, feature, entity)
    return Version(
      feature: feature.name, entity: entity, version: entry.version,
      eventTime: Timestamp(microseconds: entry.eventTime),
      writeTime: Timestamp(microseconds: entry.writeTime),
      value: value, lineage: lineage, status: retractedBy == nil ? .active : .retracted,
      retractedBy: retractedBy)
  }

  /// The lineage of a chain entry whose bytes lie in `buffer`, resolved to names.
  func lineage(
    of entry: ChainRecord.Entry, in buffer: UnsafeRawBufferPointer, _ feature: Feature,
    _ entity: String
  ) throws -> Lineage {
    let symbols = store.symbolTable
    func symbol(_ id: UInt64) throws -> String? { id == 0 ? nil : try symbols.name(id, self) }
    var source = try symbol(entry.source)
    if entry.sourceLine != 0 { source = (source ?? "") + ":\(entry.sourceLine)" }
    var lineage = Lineage(
      producer: try symbol(entry.producer), run: try symbol(entry.run), source: source)
    if let range = entry.extra {
      let extra = try corruptionNamed(feature, entity, version: entry.version) {
        try LineageExtra.decode(UnsafeRawBufferPointer(rebasing: buffer[range]))
      }
      lineage.note = extra.note.isEmpty ? nil : extra.note
      lineage.inputs = try extra.inputs.map { input in
        switch input {
        case .version(let f, let e, let v):
          .version(
            feature: try catalog.feature(id: f).name, entity: try store.entityTable.name(e, self),
            version: v)
        case .raw(let s): .raw(try symbols.name(s, self))
        }
      }
    }
    return lineage
  }
}
