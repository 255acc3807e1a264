extension Snapshot {
  // MARK: - Entities of a feature

  /// The entities that hold at least one retained version of `feature` (any status: active,
  /// expired but not vacuumed, retracted, tombstone), in entity-id order (UTF-8 bytes).
  ///
  /// ```swift
  /// let first100 = try db.read { try $0.entities(of: "user.spend_7d", limit: 100) }
  /// let page2 = try db.entities(of: "user.spend_7d", after: first100.last, limit: 100)
  /// ```
  ///
  /// It walks the entity ids in order and looks up each one's chain, so it costs about one
  /// B-tree lookup per entity id passed over: stop early with `limit` and page with `after`.
  ///
  /// - Parameters:
  ///   - feature: the feature whose entities are listed.
  ///   - prefix: only entity ids that start with it.
  ///   - after: start after this entity id (the last one of the previous page).
  ///   - limit: at most this many (nil: all).
  /// - Throws: ``FeatureDBError/unknownFeature(_:)``; ``FeatureDBError/invalidArgument(_:)`` for
  ///   a negative limit.
  public func entities(
    of feature: String, prefix: String? = nil, after: String? = nil, limit: Int? = nil
  ) throws -> [String] {
    if let limit, limit < 0 {
      throw FeatureDBError.invalidArgument("entities limit must be 0 or more, got \(limit)")
    }
    let f = try catalog.feature(feature)
    var out: [String] = []
    let wanted = limit ?? .max
    guard wanted > 0 else { return out }
    let prefixBytes = Array((prefix ?? "").utf8)
    var start = prefixBytes
    if let after, Array(after.utf8).lexicographicallyPrecedes(start) == false {
      start = Array(after.utf8) + [0]  // the smallest key after `after`
    }
    let entities = try Cursor(store.tables.entities, self)
    var walker = try ChainWalker(store, self)
    var entry =
      start.isEmpty ? try entities.first() : try start.withUnsafeBytes { try entities.seek($0) }
    while let (key, value) = entry, key.starts(with: prefixBytes) {
      let entity = String(decoding: key, as: UTF8.self)
      var r = ByteReader(value)
      guard let entityID = try? OrderedVarint.read(&r) else {
        throw FeatureDBError.corruptStore(table: "entities", detail: "bad id for '\(entity)'")
      }
      let has = try corruptionNamed(f, entity) {
        try walker.withChain(entity: entityID, feature: f.id) { record in
          guard let record else { return false }
          var chain = try ChainRecord.Reader(record, format: f.format, epoch: store.epoch)
          return try chain.next() != nil
        }
      }
      if has {
        out.append(entity)
        if out.count == wanted { break }
      }
      entry = try entities.next()
    }
    return out
  }
}

extension FeatureStore {
  /// The entities that hold a retained version of `feature`, in entity-id order; see
  /// ``Snapshot/entities(of:prefix:after:limit:)``.
  public func entities(
    of feature: String, prefix: String? = nil, after: String? = nil, limit: Int? = nil
  ) throws -> [String] {
    try read { try $0.entities(of: feature, prefix: prefix, after: after, limit: limit) }
  }
}
