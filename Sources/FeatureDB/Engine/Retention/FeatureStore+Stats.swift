import Foundation

/// Figures for one feature.
public struct FeatureStats: Hashable, Sendable {
  /// The feature name.
  public var name: String
  /// Entities with at least one retained version.
  public var entities = 0
  /// Retained versions (active, retracted, tombstones).
  public var versions = 0
  /// Versions neither retracted nor expired.
  public var active = 0
  /// Versions past their TTL that vacuum has not removed yet.
  public var expired = 0
  /// Versions removed by max-version pruning and by vacuum.
  public var pruned = 0
  /// Versions removed by vacuum (expired past their TTL).
  public var vacuumed = 0
  /// Bytes of records (keys and values) in `chains` and `values`, before LMDB's page overhead.
  public var bytes = 0
  /// Bytes of the value records in `values` alone (values too large to keep inline).
  public var valueBytes = 0
}

/// Figures for the whole store.
public struct StoreStats: Hashable, Sendable {
  /// Size of `data.mdb`.
  public var fileBytes: Int
  /// LMDB's current map size in bytes: how large `data.mdb` can grow before the map is grown.
  public var mapSize: Int
  /// LMDB's page size in bytes.
  public var pageSize: Int
  /// Pages written so far (the high-water mark).
  public var usedPages: Int
  /// Pages inside the file that hold no table data (reusable; compact drops them).
  public var freePages: Int
  /// Entity ids in the store's entity table.
  public var entities: Int
  /// Figures per feature.
  public var features: [FeatureStats]
  /// Changes the change feed holds (from the oldest retained to the last).
  public var changeRecords: UInt64 = 0
  /// Pages the change feed's table takes.
  public var changePages = 0
}

extension FeatureStats {
  /// Counts one stored version.
  mutating func count(_ e: ChainRecord.Entry, _ f: Feature, now: Timestamp) {
    versions += 1
    let expired = f.ttl.map { Retention.expiry(e.eventTime, $0) < now.microseconds } ?? false
    if expired { self.expired += 1 }
    if !e.isRetracted && !expired { active += 1 }
  }
}

extension FeatureStore {
  /// Store and per-feature figures; reads every chain (one read snapshot), so it takes time
  /// proportional to the store.
  public func stats(now: Timestamp = .now) throws -> StoreStats {
    try readTransaction { txn in
      let catalog = try catalog(txn)
      var perFeature: [UInt64: FeatureStats] = [:]
      for f in catalog.byID.values { perFeature[f.id] = FeatureStats(name: f.name) }
      let cursor = try Cursor(tables.chains, txn)
      var entry = try cursor.first()
      while let (key, value) = entry {
        guard let (_, featureID) = Keys.parseChain(key), let f = catalog.byID[featureID] else {
          throw FeatureDBError.corruptStore(
            table: "chains", detail: "undecodable key or unknown feature")
        }
        var s = perFeature[featureID]!
        var reader = try ChainRecord.Reader(value, format: f.format, epoch: epoch)
        var any = false
        while let e = try reader.next() {
          any = true
          s.count(e, f, now: now)
        }
        if any { s.entities += 1 }
        s.pruned += Int(reader.header.pruned?.count ?? 0)
        s.vacuumed += Int(reader.header.vacuumed?.count ?? 0)
        s.bytes += key.count + value.count
        perFeature[featureID] = s
        entry = try cursor.next()
      }
      if let segments = tables.v2?.segments {
        let cursor = try Cursor(segments, txn)
        entry = try cursor.first()
        while let (key, value) = entry {
          guard let (_, featureID) = Keys.parseSegmentChain(key), let f = catalog.byID[featureID]
          else {
            throw FeatureDBError.corruptStore(
              table: "segments", detail: "undecodable key or unknown feature")
          }
          var reader = try ChainRecord.Reader(value, format: f.format, epoch: epoch)
          while let e = try reader.next() {
            perFeature[featureID]!.count(e, f, now: now)
          }
          perFeature[featureID]!.bytes += key.count + value.count
          entry = try cursor.next()
        }
      }
      let values = try Cursor(tables.values, txn)
      entry = try values.first()
      while let (key, value) = entry {
        if let (_, featureID, _) = Keys.parseValue(key), perFeature[featureID] != nil {
          perFeature[featureID]!.bytes += key.count + value.count
          perFeature[featureID]!.valueBytes += value.count
        }
        entry = try values.next()
      }
      let info = env.info()
      let tablePages = try tables.all.reduce(0) { $0 + (try $1.pages(txn)) }
      let used = info.lastPage + 1
      let fileBytes =
        ((try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb"))?[.size] as? Int)
        ?? 0
      var stats = StoreStats(
        fileBytes: fileBytes, mapSize: info.mapSize, pageSize: info.pageSize, usedPages: used,
        freePages: max(0, used - 2 - tablePages), entities: try tables.entities.count(txn),
        features: perFeature.values.sorted { $0.name < $1.name })
      if let changes = tables.changes {
        let feed = try ChangeFeedState.read(MetaStore(table: tables.meta), txn)
        stats.changeRecords = feed.last - feed.trimmed
        stats.changePages = try changes.pages(txn)
      }
      return stats
    }
  }
}
