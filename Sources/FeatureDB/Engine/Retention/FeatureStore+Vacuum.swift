/// What a vacuum removed.
public struct VacuumResult: Hashable, Sendable {
  /// Expired versions physically removed (or, in a dry run, that would be).
  public var removed: Int = 0
  /// Expiry-index entries examined.
  public var examined: Int = 0
  /// True when no expired version is left to remove.
  public var done: Bool = false
  /// Per feature: the latest expiry time of a removed version. As-of reads at or before it may
  /// need vacuumed history and say so.
  public var horizons: [String: Timestamp] = [:]
}

extension FeatureStore {
  /// Physically removes versions whose TTL has passed, using the expiry index: the cost is
  /// proportional to what it removes, never a scan of the store.
  ///
  /// Works in transactions of at most 10,000 index entries, so other writers are never blocked
  /// long; stops after `limit` entries (nil: until nothing expired is left). Idempotent and
  /// resumable: call it again to continue. Readers holding an older snapshot keep seeing it.
  ///
  /// - Parameters:
  ///   - limit: most expiry-index entries to process in this call.
  ///   - dryRun: count what would be removed and change nothing.
  ///   - now: the time that decides what has expired.
  @discardableResult
  public func vacuum(limit: Int? = nil, dryRun: Bool = false, now: Timestamp = .now) throws
    -> VacuumResult
  {
    var total = VacuumResult()
    var remaining = limit ?? .max
    while remaining > 0 {
      let step = min(remaining, 10_000)
      var pass = VacuumResult()
      do {
        try writeTransaction("vacuum") { txn in
          pass = try vacuumPass(limit: step, now: now.microseconds, txn)
          if dryRun { throw DryRun() }
        }
      } catch is DryRun {}
      total.removed += pass.removed
      total.examined += pass.examined
      total.horizons.merge(pass.horizons) { max($0, $1) }
      remaining -= pass.examined
      // A dry run cannot look past the entries it did not remove.
      if pass.done || dryRun || pass.examined == 0 {
        total.done = pass.done
        break
      }
    }
    return total
  }

  private struct DryRun: Error {}

  /// One transaction's worth of vacuum.
  private func vacuumPass(limit: Int, now: Int64, _ txn: borrowing WriteTransaction) throws
    -> VacuumResult
  {
    var result = VacuumResult()
    typealias Entry = (entity: UInt64, feature: UInt64, version: UInt64, expiry: Int64)
    var entries: [Entry] = []
    do {
      // Takes expired entries off the front of the index, deleting each through the cursor.
      let cursor = try Cursor(tables.expiry, txn)
      var next = try cursor.first()
      while let (key, _) = next, entries.count < limit {
        guard let parsed = Keys.parseExpiry(key) else {
          throw FeatureDBError.corruptStore(table: "expiry", detail: "undecodable key")
        }
        guard parsed.time < now else { break }  // valid through `time`, expired after it
        entries.append((parsed.entity, parsed.feature, parsed.version, parsed.time))
        try cursor.deleteCurrent()
        next = try cursor.next()  // after a delete, LMDB's next is the entry that followed
      }
      if let (key, _) = next, let parsed = Keys.parseExpiry(key) {
        result.done = parsed.time >= now
      } else {
        result.done = true
      }
    }
    result.examined = entries.count
    entries.sort { ($0.entity, $0.feature, $0.version) < ($1.entity, $1.feature, $1.version) }
    let catalog = try catalog(txn)
    var horizons: [UInt64: Int64] = [:]
    var update = ChainUpdate()
    var record = ByteWriter(capacity: 4096)
    let chains = try Cursor(tables.chains, txn)
    var changes = ChangeLog()
    var start = 0
    while start < entries.count {
      var end = start + 1
      while end < entries.count, entries[end].entity == entries[start].entity,
        entries[end].feature == entries[start].feature
      {
        end += 1
      }
      let group = entries[start..<end]
      start = end
      guard let feature = catalog.byID[group.first!.feature], let ttl = feature.ttl else {
        continue
      }
      let entity = group.first!.entity
      let key = Keys.chain(entity: entity, feature: feature.id)
      let retention = Retention(store: self, feature: feature, chainKey: key, entity: entity)
      try key.withUnsafeBytes { k in
        guard let (_, buffer) = try chains.find(k) else { return }
        try ChainRecord.withStableHead(buffer) { head in
          do {
            try update.reset(old: head, format: feature.format, epoch: epoch)
          } catch let error as DecodeError {
            let name = (try? entityTable.name(entity, txn)) ?? "#\(entity)"
            throw FeatureDBError.corruptRecord(
              feature: feature.name, entity: name, version: nil, detail: error.description)
          }
          var changed = false
          var segments: ChainSegments?
          for e in group {
            let isExpired = { (p: ChainUpdate.Piece) in Retention.expiry(p.eventTime, ttl) < now }
            var found: (piece: ChainUpdate.Piece, removed: Bool)?
            if let piece = update.pieces.first(where: { $0.version == e.version }) {
              let expired = isExpired(piece)
              if expired { _ = update.vacuum(version: e.version) }
              found = (piece, expired)
            } else if update.header.segments != nil {
              if segments == nil {
                segments = try ChainSegments(
                  tables.lineage().segments, chainKey: key, format: feature.format,
                  epoch: epoch, txn)
              }
              found = try segments!.remove(
                version: e.version, eventTime: e.expiry &- ttl, if: isExpired)
              if let (piece, removed) = found, removed {
                ChainRecord.RemovedRange.add(
                  piece.eventTime, writeTime: piece.writeTime, to: &update.header.vacuumed)
                update.header.segments!.entries -= 1
                if !piece.isRetracted { update.header.segments!.active -= 1 }
              }
            }
            guard let (piece, removed) = found else { continue }
            if removed {
              if piece.isExternal { try retention.forgetValue(piece, txn) }
              changes.removed(.expired, feature: feature.id, entity: entity, version: piece.version)
              let expiry = Retention.expiry(piece.eventTime, ttl)
              horizons[feature.id] = max(horizons[feature.id] ?? .min, expiry)
              result.removed += 1
              changed = true
            } else {
              // The TTL grew since the entry was written: keep the version, index its new expiry.
              try retention.indexExpiry(version: piece.version, eventTime: piece.eventTime, txn)
            }
          }
          guard changed else { return }
          // `head` may point into the map: encode before writing.
          update.encode(old: head, arena: [], into: &record)
          try record.bytes.withUnsafeBytes { v in
            try chains.put(key: k, value: v, flags: .current)
          }
        }
      }
    }
    try changes.flush(self, txn)
    if !horizons.isEmpty {
      try recordHorizons(horizons, catalog: catalog, txn)
      for (id, h) in horizons {
        result.horizons[catalog.byID[id]!.name] = Timestamp(microseconds: h)
      }
    }
    return result
  }
}
