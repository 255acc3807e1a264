extension Snapshot {
  /// The sequence number of the last change committed in this snapshot (0: none yet). A
  /// consumer that copies the store through this snapshot follows the feed from here.
  public func lastChange() throws -> UInt64 {
    try ChangeFeedState.read(MetaStore(table: store.tables.meta), self).last
  }

  /// The changes numbered after `after`, at most `limit`, in sequence order; only those of
  /// `features` when given.
  ///
  /// - Throws: ``FeatureDBError/changesTrimmed(after:oldest:)`` when the feed no longer holds
  ///   every change after `after`; ``FeatureDBError/invalidArgument(_:)`` for a cursor beyond
  ///   the last change (one from another store) or a store of an older format open read-only.
  public func changes(after: UInt64, limit: Int = 1_000, features: Set<String>? = nil) throws
    -> ChangePage
  {
    guard limit > 0 else { throw FeatureDBError.invalidArgument("limit must be 1 or more") }
    guard let table = store.tables.changes else {
      throw FeatureDBError.invalidArgument(
        "this store's format has no change feed; open it for writing once to upgrade it to format \(FeatureStore.formatVersion)"
      )
    }
    let feed = try ChangeFeedState.read(MetaStore(table: store.tables.meta), self)
    guard after >= feed.trimmed else {
      throw FeatureDBError.changesTrimmed(after: after, oldest: feed.trimmed + 1)
    }
    guard after <= feed.last else {
      throw FeatureDBError.invalidArgument(
        "change cursor \(after) is beyond the last change \(feed.last): it is not from this store"
      )
    }
    let wanted = try features.map { Set(try $0.map { try catalog.feature($0).id }) }
    var page = ChangePage(changes: [], next: after, last: feed.last)
    guard after < feed.last else { return page }
    let cursor = try Cursor(table, self)
    // The chunk holding `after` + 1: the one keyed by it, else the one before.
    let start = after + 1
    var entry = try ChangeChunk.key(start).withUnsafeBytes { try cursor.seek($0) }
    if entry.map({ ChangeChunk.sequence($0.key) != start }) ?? true {
      entry = entry == nil ? try cursor.last() : try cursor.previous()
    }
    var expected: UInt64?
    var names = ChangeNames()
    while let (key, value) = entry, page.changes.count < limit {
      let (first, count, time) = try store.chunkHeader(key, value)
      if let expected, first != expected {
        throw FeatureDBError.corruptStore(
          table: "changes", detail: "chunk \(first) follows a chunk ending at \(expected - 1)")
      }
      expected = first &+ UInt64(count)
      let end = first &+ UInt64(count) &- 1
      guard end >= start else {
        entry = try cursor.next()
        continue
      }
      guard first <= start || page.next + 1 == first else {
        throw FeatureDBError.corruptStore(
          table: "changes", detail: "changes \(start)…\(first - 1) are missing")
      }
      let chunk = try decodeChunk(value, first: first)
      try chunk.payload.withUnsafeBytes { payload in
        let catalog = self.catalog
        var reader = ChangeChunk.Reader(payload, epoch: store.epoch) {
          try catalog.feature(id: $0).format
        }
        var sequence = first
        while page.changes.count < limit {
          let next: ChangeChunk.Record?
          do { next = try reader.next() } catch let error as DecodeError {
            throw FeatureDBError.corruptStore(
              table: "changes", detail: "chunk \(first): \(error.description)")
          }
          guard let record = next else { break }
          defer { sequence &+= 1 }
          guard sequence > after else { continue }
          page.next = sequence
          if let wanted, !wanted.contains(record.feature) { continue }
          page.changes.append(
            try change(record, sequence: sequence, time: time, payload, &names))
        }
        guard sequence == first &+ UInt64(count) || page.changes.count == limit else {
          throw FeatureDBError.corruptStore(
            table: "changes", detail: "chunk \(first) holds fewer records than its \(count)")
        }
      }
      entry = try cursor.next()
    }
    // Every change up to the last is in a chunk: a page that stops short was not full.
    if page.changes.count < limit, page.next != feed.last {
      throw FeatureDBError.corruptStore(
        table: "changes", detail: "changes \(page.next + 1)…\(feed.last) are missing")
    }
    return page
  }

  /// A chunk's header and payload; damage is a typed error naming the chunk.
  private func decodeChunk(_ value: UnsafeRawBufferPointer, first: UInt64) throws
    -> ChangeChunk.Decoded
  {
    do {
      return try ChangeChunk.decode(value, epoch: store.epoch, zstd: store.zstd)
    } catch {
      throw FeatureDBError.corruptStore(
        table: "changes", detail: "chunk \(first): \(error.description)")
    }
  }

  /// The names a page resolves, kept while it is read: most records repeat an entity.
  struct ChangeNames {
    var entity: (id: UInt64, name: String)?
  }

  /// The public record of a decoded one.
  private func change(
    _ r: ChangeChunk.Record, sequence: UInt64, time: Int64, _ payload: UnsafeRawBufferPointer,
    _ names: inout ChangeNames
  ) throws -> Change {
    let feature = try catalog.feature(id: r.feature)
    let when = Timestamp(microseconds: time)
    guard r.kind != .defined else {
      var c = Change(sequence: sequence, kind: .defined, time: when, feature: feature.name)
      let json = UnsafeRawBufferPointer(rebasing: payload[r.bytes!])
      guard let stored = StoredDefinition.decode(json) else {
        throw FeatureDBError.corruptStore(
          table: "changes", detail: "change \(sequence): undecodable definition")
      }
      c.definition = try stored.definition()
      c.feature = c.definition!.name
      return c
    }
    let entity: String
    if let cached = names.entity, cached.id == r.entity {
      entity = cached.name
    } else {
      entity = try store.entityTable.name(r.entity, self)
      names.entity = (r.entity, entity)
    }
    var c = Change(
      sequence: sequence, kind: .written, time: when, feature: feature.name, entity: entity,
      version: r.version)
    switch r.kind {
    case .written:
      let e = r.entry!
      c.eventTime = Timestamp(microseconds: e.eventTime)
      c.lineage = try lineage(of: e, in: payload, feature, entity)
      c.value = try corruptionNamed(feature, entity, version: e.version) {
        () throws -> FeatureValue? in
        switch e.kind {
        case .tombstone: return nil
        case .inline:
          var reader = ByteReader(payload, offset: e.valueOffset)
          return try ValueCodec.readInline(feature.format, &reader)
        case .external:
          let key = Keys.value(
            chain: Keys.chain(entity: r.entity, feature: feature.id), version: e.version)
          return try key.withUnsafeBytes { k in
            try store.tables.values.withValue(self, key: k) { record in
              guard let record else { return nil }
              let canonical = try store.storedCanonical(record, feature, self)
              return try canonical.withUnsafeBytes { try ValueCodec.decode(feature.format, $0) }
            }
          }
        }
      }
      if e.kind == .tombstone {
        c.kind = .deleted
      } else if c.value == nil {
        c.valueRemoved = true
      }
    case .retracted, .restored:
      c.kind = r.kind == .retracted ? .retracted : .restored
      c.operation = r.operation
      if r.kind == .restored { c.undoes = r.undone }
    case .pruned: c.kind = .pruned
    case .expired: c.kind = .expired
    case .defined: break
    }
    return c
  }
}
