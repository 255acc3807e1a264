/// What ``FeatureStore/prune(_:)`` did.
public struct PruneResult: Hashable, Sendable {
  /// Chains (feature, entity pairs) examined.
  public var chains = 0
  /// Versions removed.
  public var pruned = 0
}

extension FeatureStore {
  /// Applies `maxVersions` to data already stored (after lowering it): removes the oldest active
  /// versions beyond it, for one feature or all. Runs in transactions of at most 5,000 chains;
  /// idempotent, so an interrupted prune is finished by calling it again.
  @discardableResult
  public func prune(_ feature: String? = nil) throws -> PruneResult {
    var result = PruneResult()
    var update = ChainUpdate()
    var record = ByteWriter(capacity: 4096)
    try rewriteChains(of: feature) { visit, changes, txn in
      result.chains += 1
      let f = visit.feature
      guard f.maxVersions > 0 else { return nil }
      return try ChainRecord.withStableHead(visit.record) { old -> [UInt8]? in
        try update.reset(old: old, format: f.format, epoch: epoch)
        let fromSegments = update.segmentsToPrune(maxVersions: f.maxVersions)
        var removed = update.prune(
          maxVersions: f.maxVersions,
          segmentActive: Int(clamping: update.header.segments?.active ?? 0))
        if fromSegments > 0 {
          var segments = try ChainSegments(
            tables.lineage().segments, chainKey: visit.key, format: f.format, epoch: epoch, txn)
          let older = try segments.pruneOldest(fromSegments, arena: [])
          for p in older {
            ChainRecord.RemovedRange.add(
              p.eventTime, writeTime: p.writeTime, to: &update.header.pruned)
          }
          removed += older
        }
        guard !removed.isEmpty else { return nil }
        let retention = Retention(
          store: self, feature: f, chainKey: visit.key, entity: visit.entity)
        for p in removed {
          try retention.forget(p, txn)
          changes.removed(.pruned, feature: f.id, entity: visit.entity, version: p.version)
        }
        result.pruned += removed.count
        update.encode(old: old, arena: [], into: &record)
        return record.bytes
      }
    }
    return result
  }

  /// Adds every stored version of `feature` to the expiry index under its current TTL.
  func indexExpiries(of feature: String) throws {
    try rewriteChains(of: feature) { visit, _, txn in
      let retention = Retention(
        store: self, feature: visit.feature, chainKey: visit.key, entity: visit.entity)
      let head = try ChainRecord.Reader(visit.record, format: visit.feature.format, epoch: epoch)
      try forEachRecord(head: head, visit.feature, entityID: visit.entity, txn) { record in
        var reader = record
        while let e = try reader.next() {
          try retention.indexExpiry(version: e.version, eventTime: e.eventTime, txn)
        }
        return true
      }
      return nil
    }
  }

  /// A chain lent to a ``rewriteChains(of:perTransaction:_:)`` visitor.
  struct ChainVisit {
    let key: [UInt8]
    let entity: UInt64
    let feature: Feature
    /// The record as stored (valid during the visit).
    let record: UnsafeRawBufferPointer
  }

  /// Visits every chain (of one feature, or all) in key order, in write transactions of at most
  /// `perTransaction` chains. The visitor returns a new record to store, or nil to keep it, and
  /// notes what it removed in the transaction's change log.
  func rewriteChains(
    of featureName: String?, perTransaction: Int = 5_000,
    _ visit: (ChainVisit, inout ChangeLog, borrowing WriteTransaction) throws -> [UInt8]?
  ) throws {
    var resume: [UInt8]? = nil
    var finished = false
    while !finished {
      try writeTransaction("scan chains") { txn in
        var changes = ChangeLog()
        let catalog = try catalog(txn)
        let only = try featureName.map { try catalog.feature($0) }
        let cursor = try Cursor(tables.chains, txn)
        var entry =
          try resume.map { r in try r.withUnsafeBytes { try cursor.seek($0) } } ?? cursor.first()
        var visited = 0
        while let (key, value) = entry {
          guard let (entity, featureID) = Keys.parseChain(key) else {
            throw FeatureDBError.corruptStore(table: "chains", detail: "undecodable key")
          }
          if visited == perTransaction {
            resume = Array(key)
            try changes.flush(self, txn)
            return
          }
          visited += 1
          if only == nil || only!.id == featureID, let feature = catalog.byID[featureID] {
            let keyBytes = Array(key)
            let replacement: [UInt8]?
            do {
              replacement = try visit(
                ChainVisit(key: keyBytes, entity: entity, feature: feature, record: value),
                &changes, txn)
            } catch let error as DecodeError {
              let name = (try? entityTable.name(entity, txn)) ?? "#\(entity)"
              throw FeatureDBError.corruptRecord(
                feature: feature.name, entity: name, version: nil, detail: error.description)
            }
            if let replacement {
              try keyBytes.withUnsafeBytes { k in
                try replacement.withUnsafeBytes { v in
                  try cursor.put(key: k, value: v, flags: .current)
                }
              }
            }
          }
          entry = try cursor.next()
        }
        try changes.flush(self, txn)
        finished = true
      }
    }
  }
}
