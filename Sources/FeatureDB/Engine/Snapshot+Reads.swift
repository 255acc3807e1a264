extension Snapshot {
  // MARK: - Latest

  /// The latest value: of the active, unexpired versions, the one with the greatest event time
  /// (ties: the higher version). Nil when there is none or it is a tombstone.
  ///
  /// A version whose event time is in the future is the latest once written, while
  /// `asOf(feature, entity, eventTime: .now)` skips it until its time comes:
  ///
  /// ```swift
  /// try db.put("user.segment", "u1", "casual", eventTime: Timestamp(iso8601: "2026-01-05")!)
  /// try db.put("user.segment", "u1", "loyal", eventTime: Timestamp(iso8601: "2030-01-01")!)
  /// try db.latest("user.segment", "u1")                    // "loyal" (read in 2026)
  /// try db.asOf("user.segment", "u1", eventTime: .now)     // "casual"
  /// ```
  public func latest(_ feature: String, _ entity: String) throws -> FeatureValue? {
    let f = try catalog.feature(feature)
    guard let entityID = try entityID(entity) else { return nil }
    return try Keys.withChain(entity: entityID, feature: f.id) { key in
      try withChainRecord(key) { try latestValue($0, f, entity, entityID) }
    }
  }

  /// The latest value converted to `T`; throws ``FeatureDBError/invalidArgument(_:)`` (naming
  /// the feature, the entity, the stored type and `T`) when the feature's values are not `T`.
  public func latest<T: FeatureValueConvertible>(
    _ feature: String, _ entity: String, as type: T.Type
  ) throws -> T? {
    try convert(latest(feature, entity), feature, entity)
  }

  /// The latest version with its metadata and lineage (a tombstone is returned with `value == nil`).
  public func latestVersion(_ feature: String, _ entity: String) throws -> Version? {
    let f = try catalog.feature(feature)
    return try resolve(f, entity, Query(upper: .max, reference: now.microseconds)) { hit in
      try hit.map { try version(of: $0) }
    }
  }

  /// The latest version's value and event time, without its metadata and lineage (what a
  /// serving read needs; the version ``latestVersion(_:_:)`` returns): nil when the pair has no
  /// visible version, `value` nil when it is a delete.
  public func latestValueAndTime(_ feature: String, _ entity: String) throws -> (
    value: FeatureValue?, eventTime: Timestamp
  )? {
    let f = try catalog.feature(feature)
    return try resolve(f, entity, Query(upper: .max, reference: now.microseconds)) { hit in
      try hit.map { (try value(of: $0), Timestamp(microseconds: $0.entry.eventTime)) }
    }
  }

  // MARK: - As of

  /// The value as of event time `eventTime` (point-in-time correct) and/or as the store knew it at
  /// write time `writeTime`.
  ///
  /// With `eventTime` T: the active version with the greatest eventTime ≤ T that is not expired at
  /// T (`T − ttl ≤ eventTime`). With `writeTime` W: only versions written at or before W count.
  /// With only W: what `latest` returned at time W. With neither: `latest`.
  ///
  /// - Throws: ``FeatureDBError/historyPruned(feature:entity:removed:)`` or
  ///   ``FeatureDBError/historyVacuumed(feature:entity:removed:)`` when the answer may be a version
  ///   that retention removed.
  public func asOf(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, writeTime: Timestamp? = nil
  ) throws
    -> FeatureValue?
  {
    let f = try catalog.feature(feature)
    return try resolve(f, entity, query(eventTime: eventTime, writeTime: writeTime)) { hit in
      try hit.flatMap { try value(of: $0) }
    }
  }

  /// ``asOf(_:_:eventTime:writeTime:)`` converted to `T`.
  public func asOf<T: FeatureValueConvertible>(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, writeTime: Timestamp? = nil,
    as type: T.Type
  ) throws -> T? {
    try convert(asOf(feature, entity, eventTime: eventTime, writeTime: writeTime), feature, entity)
  }

  /// The version ``asOf(_:_:eventTime:writeTime:)`` selects, with metadata and lineage.
  public func asOfVersion(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, writeTime: Timestamp? = nil
  )
    throws -> Version?
  {
    let f = try catalog.feature(feature)
    return try resolve(f, entity, query(eventTime: eventTime, writeTime: writeTime)) { hit in
      try hit.map { try version(of: $0) }
    }
  }

  // MARK: - History

  /// Retained versions, newest (highest version) first, with lineage and status; retracted
  /// versions (with the rollback that retracted them) only when `includeRetracted`.
  public func history(
    _ feature: String, _ entity: String, limit: Int? = nil, includeRetracted: Bool = false
  ) throws -> [Version] {
    if let limit, limit < 0 {
      throw FeatureDBError.invalidArgument("history limit must be 0 or more, got \(limit)")
    }
    let f = try catalog.feature(feature)
    guard let entityID = try entityID(entity) else { return [] }
    return try withChain(f, entityID: entityID, entity: entity) { head in
      guard let head else { return [] }
      // Versions are numbered in write order and a head holds the newest entries: a short
      // history usually needs no segment (`maxVersion` says when it does).
      let limit = limit ?? .max
      let inSegments = head.header.segments?.maxVersion ?? 0
      var entries: [(ChainRecord.Entry, ChainRecord.Reader)] = []
      var newerThanSegments = 0
      try forEachRecord(head: head, f, entityID: entityID) { record in
        var reader = record
        while let e = try reader.next() {
          if try includeRetracted
            || !isRetracted(e, record, entity: entityID, feature: f.id, at: nil)
          {
            entries.append((e, record))
            if e.version > inSegments { newerThanSegments += 1 }
          }
        }
        return newerThanSegments < limit
      }
      entries.sort { $0.0.version > $1.0.version }
      return try entries.prefix(limit).map { e, reader in
        try version(
          of: Hit(feature: f, entity: entity, entityID: entityID, reader: reader, entry: e))
      }
    }
  }

  // MARK: - Batch reads

  /// Latest values of `features` for one entity, in the order given. The entity is looked up
  /// once and its chains are read with one cursor in key order (they are adjacent on disk).
  public func latest(features: [String], entity: String) throws -> [FeatureValue?] {
    let plan = try vectorPlan(features)
    var out = [FeatureValue?](repeating: nil, count: plan.order.count)
    var walker = try ChainWalker(store, self)
    try walkLatest(plan, entity: entity, &walker, checkPaths: false) { i, cell in
      out[i] = cell?.value ?? nil
    }
    return out
  }

  /// The latest value and event time of each of `features` for each of `entities`, as
  /// ``latestValueAndTime(_:_:)`` answers for one pair (what a serving read needs): one row per
  /// entity, columns in `features` order; nil where the pair has no visible version, `value`
  /// nil where the latest version is a delete. Each entity is looked up once, and one cursor
  /// reads the chains of all of them in key order. With ``StoreOptions/checkPages`` every path
  /// is checked, as single reads do.
  public func latestValuesAndTimes(features: [String], entities: [String]) throws -> [[(
    value: FeatureValue?, eventTime: Timestamp
  )?]] {
    guard !entities.isEmpty else { return [] }
    let plan = try vectorPlan(features)
    var walker = try ChainWalker(store, self)
    return try entities.map { entity in
      var row = [(value: FeatureValue?, eventTime: Timestamp)?](
        repeating: nil, count: plan.order.count)
      try walkLatest(plan, entity: entity, &walker, checkPaths: true) { i, cell in
        row[i] = cell.map { ($0.value, Timestamp(microseconds: $0.eventTime)) }
      }
      return row
    }
  }

  /// Lends the latest value and event time of each feature of `plan` for `entity` to `body`,
  /// with the feature's index in the list asked (no call when the entity was never written).
  /// With `checkPaths`, each chain's path is checked first when the store checks pages.
  private func walkLatest(
    _ plan: FeatureVectorPlan, entity: String, _ walker: inout ChainWalker, checkPaths: Bool,
    _ body: (Int, (value: FeatureValue?, eventTime: Int64)?) throws -> Void
  ) throws {
    guard let entityID = try entityID(entity) else { return }
    for (i, f) in plan.order {
      let probed =
        checkPaths && store.options.checkPages
        ? try Keys.withChain(entity: entityID, feature: f.id) {
          try store.checkPath(store.tables.chains, key: $0, self)
        } : nil
      try body(
        i,
        try walker.withChain(
          entity: entityID, feature: f.id,
          confirmMiss: {
            try store.confirmAbsent(store.tables.chains, key: $0, self, probed: probed)
          }
        ) { record in
          try latestCell(record, f, entity, entityID)
        })
    }
  }

  /// `features` resolved and in key order, from the store's cache when the same list was
  /// resolved last against this catalog.
  private func vectorPlan(_ features: [String]) throws -> FeatureVectorPlan {
    if let plan = store.vectorPlan.withLock({ $0 }), plan.catalogVersion == catalog.version,
      plan.names == features
    {
      return plan
    }
    let fs = try features.map { try catalog.feature($0) }
    let plan = FeatureVectorPlan(
      catalogVersion: catalog.version, names: features,
      order: fs.indices.sorted { fs[$0].id < fs[$1].id }.map { ($0, fs[$0]) })
    store.vectorPlan.withLock { $0 = plan }
    return plan
  }

  /// The latest value in a chain record (nil: no record, no value or a tombstone).
  func latestValue(
    _ record: UnsafeRawBufferPointer?, _ f: Feature, _ entity: String, _ entityID: UInt64
  ) throws -> FeatureValue? {
    try latestCell(record, f, entity, entityID)?.value ?? nil
  }

  /// The latest version's value and event time in a chain record (nil: no record or no
  /// visible version; `value` nil: a tombstone). When nothing makes the head's first entry
  /// doubtful (no pending retraction rule, no removed history, not retracted, not expired), it
  /// is the answer; otherwise ``select(_:_:_:_:_:_:)`` decides.
  func latestCell(
    _ record: UnsafeRawBufferPointer?, _ f: Feature, _ entity: String, _ entityID: UInt64
  ) throws -> (value: FeatureValue?, eventTime: Int64)? {
    guard let record else { return nil }
    return try corruptionNamed(f, entity) {
      let chain = try ChainRecord.Reader(record, format: f.format, epoch: store.epoch)
      var head = chain  // a copy to walk; `chain` starts again from the first entry
      if !catalog.retractions.hasPending, head.header.pruned == nil,
        head.header.vacuumed == nil, let e = try head.next(), !e.isRetracted,
        f.ttl.map({ e.eventTime >= now.microseconds &- $0 }) ?? true
      {
        switch e.kind {
        case .tombstone: return (nil, e.eventTime)
        case .inline: return (try head.inlineValue(e), e.eventTime)
        case .external: break
        }
      }
      let query = Query(upper: .max, reference: now.microseconds)
      return try select(chain, f, entity, entityID, query) { hit in
        try hit.map { (try value(of: $0), $0.entry.eventTime) }
      }
    }
  }

  /// Latest values of `features` × `entities`: one row per entity, columns in `features` order.
  public func latest(features: [String], entities: [String]) throws -> [[FeatureValue?]] {
    try entities.map { try latest(features: features, entity: $0) }
  }

  /// The latest value of every feature `entity` has, by feature name.
  public func latestAll(entity: String) throws -> [String: FeatureValue] {
    guard let entityID = try entityID(entity) else { return [:] }
    let prefix = Keys.ids(entityID)
    var out: [String: FeatureValue] = [:]
    // The entity's chains are adjacent: read each where the cursor finds it.
    let cursor = try Cursor(store.tables.chains, self)
    var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
    while let (key, record) = entry, key.starts(with: prefix) {
      guard let (_, featureID) = Keys.parseChain(key) else {
        throw FeatureDBError.corruptStore(
          table: "chains", detail: "undecodable key for entity '\(entity)'")
      }
      let f = try catalog.feature(id: featureID)
      if let v = try latestValue(record, f, entity, entityID) { out[f.name] = v }
      entry = try cursor.next()
    }
    return out
  }

  /// Decodes a `Decodable` struct whose properties are features of `entity` (latest values).
  public func read<T: Decodable>(_ type: T.Type, entity: String) throws -> T {
    try FeatureRecordDecoder.decode(type, from: latestAll(entity: entity))
  }

  private func convert<T: FeatureValueConvertible>(
    _ value: FeatureValue?, _ feature: String, _ entity: String
  ) throws -> T? {
    guard let value else { return nil }
    guard let v = T(featureValue: value) else {
      throw FeatureDBError.invalidArgument(
        "feature '\(feature)' entity '\(entity)' holds a \(value.type) value; it cannot be read as \(T.self)"
      )
    }
    return v
  }
}

/// A feature list resolved for ``Snapshot/latest(features:entity:)``: each feature with its
/// position in the caller's list, in feature-id order (the order of their chain keys).
struct FeatureVectorPlan: Sendable {
  let catalogVersion: UInt64
  let names: [String]
  let order: [(index: Int, feature: Feature)]
}
