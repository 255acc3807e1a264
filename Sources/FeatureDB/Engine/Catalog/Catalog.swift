import Foundation

/// A feature with its interned id. A class, so passing it around the hot paths costs one
/// reference count, not one per field of the definition.
final class Feature: Sendable {
  let id: UInt64
  let definition: FeatureDefinition
  let name: String
  let type: ValueType
  /// Type and embedding encoding: how values are encoded.
  let format: ValueFormat
  let maxVersions: Int
  /// TTL in microseconds, nil when values never expire.
  let ttl: Int64?

  init(id: UInt64, definition: FeatureDefinition) {
    self.id = id
    self.definition = definition
    name = definition.name
    type = definition.type
    format = ValueFormat(type: definition.type, encoding: definition.encoding)
    maxVersions = definition.maxVersions
    ttl = definition.ttl?.microseconds
  }
}

/// The catalog as of one catalog version, loaded whole (it is small) and cached until the
/// version in `meta` changes.
struct Catalog: Sendable {
  let version: UInt64
  let byName: [String: Feature]
  let byID: [UInt64: Feature]
  /// `byName` for the read path's lookups (a third of the instructions).
  private let names: StringTable<Feature>
  /// Operations and pending retractions (they change the catalog version too).
  var retractions = RetractionState()

  init(version: UInt64, byName: [String: Feature], byID: [UInt64: Feature]) {
    self.version = version
    self.byName = byName
    self.byID = byID
    names = StringTable(byName.map { ($0.key, $0.value) })
  }

  func feature(_ name: String) throws -> Feature {
    guard let f = names[name] else { throw FeatureDBError.unknownFeature(name) }
    return f
  }

  func feature(id: UInt64) throws -> Feature {
    guard let f = byID[id] else {
      throw FeatureDBError.corruptStore(table: "features", detail: "no feature with id \(id)")
    }
    return f
  }
}

/// A definition as stored in the `features` table: a JSON object.
struct StoredDefinition: Codable {
  var name: String
  var type: String
  var encoding: String
  var maxVersions: Int
  var ttlMicroseconds: Int64?
  var description: String
  var owner: String
  var tags: [String]
  var createdAtMicroseconds: Int64
  var vacuumHorizonMicroseconds: Int64?
  var dictionary: UInt64?

  /// Decodes a stored definition; nil when the bytes are not one.
  static func decode(_ bytes: UnsafeRawBufferPointer) -> StoredDefinition? {
    try? JSONDecoder().decode(StoredDefinition.self, from: Data(bytes))
  }

  init(_ d: FeatureDefinition) {
    name = d.name
    type = d.type.description
    encoding = d.encoding.rawValue
    maxVersions = d.maxVersions
    ttlMicroseconds = d.ttl?.microseconds
    description = d.description
    owner = d.owner
    tags = d.tags
    createdAtMicroseconds = d.createdAt.microseconds
    vacuumHorizonMicroseconds = d.vacuumHorizon?.microseconds
    dictionary = d.dictionary
  }

  func definition() throws -> FeatureDefinition {
    guard let type = ValueType(parsing: type), let encoding = EmbeddingEncoding(rawValue: encoding)
    else {
      throw FeatureDBError.corruptStore(
        table: "features", detail: "feature '\(name)' has type '\(type)', encoding '\(encoding)'")
    }
    var d = FeatureDefinition(
      name, type: type, encoding: encoding, maxVersions: maxVersions,
      ttl: ttlMicroseconds.map(TimeSpan.init(microseconds:)), description: description,
      owner: owner,
      tags: tags)
    d.createdAt = Timestamp(microseconds: createdAtMicroseconds)
    d.vacuumHorizon = vacuumHorizonMicroseconds.map(Timestamp.init(microseconds:))
    d.dictionary = dictionary
    return d
  }
}

extension FeatureStore {
  // MARK: - Catalog

  /// The catalog a read transaction sees. Read transactions that see the same committed
  /// transaction (same id) see the same catalog, so only the first of them reads `meta`.
  func snapshotCatalog(_ txn: borrowing ReadTransaction) throws -> Catalog {
    let id = txn.id
    if let (seen, cached) = snapshotCatalog.withLock({ $0 }), seen == id { return cached }
    let catalog = try catalog(txn)
    snapshotCatalog.withLock { $0 = (id, catalog) }
    return catalog
  }

  /// The catalog valid in `txn`, from the cache when its version is current.
  func catalog(_ txn: borrowing some Transaction & ~Copyable) throws -> Catalog {
    let meta = MetaStore(table: tables.meta)
    let version = try meta.uint(txn, .catalogVersion) ?? 0
    if let cached = catalogCache.withLock({ $0 }), cached.version == version { return cached }
    if tables.v2 == nil, let format = try meta.uint(txn, .format), format >= 2 {
      throw FeatureDBError.invalidArgument(
        "\(path) was upgraded to format \(format) by a writer since it was opened; open it again")
    }
    var byName: [String: Feature] = [:]
    var byID: [UInt64: Feature] = [:]
    let cursor = try Cursor(tables.features, txn)
    var entry = try cursor.first()
    while let (key, value) = entry {
      var r = ByteReader(key)
      guard let id = try? OrderedVarint.read(&r), r.isAtEnd,
        let stored = StoredDefinition.decode(value)
      else {
        throw FeatureDBError.corruptStore(
          table: "features", detail: "undecodable definition record")
      }
      let f = Feature(id: id, definition: try stored.definition())
      byName[f.name] = f
      byID[id] = f
      entry = try cursor.next()
    }
    var catalog = Catalog(version: version, byName: byName, byID: byID)
    catalog.retractions = try retractionState(txn)
    catalogCache.withLock { $0 = catalog }
    return catalog
  }

  /// Defines a feature, or brings an existing one to `definition`: the definition given is the
  /// one stored afterwards.
  ///
  /// For an existing feature the type (and an embedding's encoding) must be the same; its
  /// retention (`maxVersions`, `ttl`) and its `description`, `owner` and `tags` become the ones
  /// given, like ``updateRetention(_:maxVersions:ttl:)`` does for retention. Defining it again with
  /// the same settings changes nothing. A lower `maxVersions` applies to each (feature, entity) at
  /// its next write; ``prune(_:)`` applies it now.
  ///
  /// ```swift
  /// try db.define(FeatureDefinition("user.spend_7d", type: .double))                  // 10 versions
  /// try db.define(FeatureDefinition("user.spend_7d", type: .double, maxVersions: 3))  // now 3
  /// ```
  ///
  /// - Returns: the stored definition.
  /// - Throws: ``FeatureDBError/invalidFeatureName(_:reason:)``,
  ///   ``FeatureDBError/featureTypeConflict(feature:existing:requested:)``,
  ///   ``FeatureDBError/invalidDefinition(feature:reason:)`` (bad settings, or another encoding).
  @discardableResult
  public func define(_ definition: FeatureDefinition) throws -> FeatureDefinition {
    if let problem = FeatureDefinition.nameProblem(definition.name) {
      throw FeatureDBError.invalidFeatureName(definition.name, reason: problem)
    }
    try Self.validateSettings(definition)
    let (before, after) = try writeTransaction("define") { txn in
      let catalog = try catalog(txn)
      if let existing = catalog.byName[definition.name] {
        guard existing.type == definition.type else {
          throw FeatureDBError.featureTypeConflict(
            feature: definition.name, existing: existing.type, requested: definition.type)
        }
        if case .embedding = existing.type, existing.definition.encoding != definition.encoding {
          throw FeatureDBError.invalidDefinition(
            feature: definition.name,
            reason:
              "it is stored as \(existing.definition.encoding.rawValue); the encoding cannot change to \(definition.encoding.rawValue)"
          )
        }
        var d = existing.definition
        d.maxVersions = definition.maxVersions
        d.ttl = definition.ttl
        d.description = definition.description
        d.owner = definition.owner
        d.tags = definition.tags
        if d != existing.definition {
          try storeDefinition(d, id: existing.id, catalog: catalog, txn)
        }
        return (Optional(existing.definition), d)
      }
      var d = definition
      d.createdAt = .now
      let id = (catalog.byID.keys.max() ?? 0) + 1
      try storeDefinition(d, id: id, catalog: catalog, txn)
      return (nil, d)
    }
    if let before, let ttl = after.ttl, ttl != before.ttl { try indexExpiries(of: after.name) }
    return after
  }

  /// Changes a feature's `maxVersions` and/or `ttl` (nil leaves a setting as it is).
  /// Lowering `maxVersions` applies to each (feature, entity) at its next write.
  ///
  /// A new TTL is indexed for vacuum at once (a scan of the store in bounded transactions); call
  /// ``prune(_:)`` to apply a lower `maxVersions` to existing data now.
  @discardableResult
  public func updateRetention(_ feature: String, maxVersions: Int? = nil, ttl: TimeSpan?? = nil)
    throws
    -> FeatureDefinition
  {
    let (before, after) = try writeTransaction("updateRetention") { txn in
      let catalog = try catalog(txn)
      let f = try catalog.feature(feature)
      var d = f.definition
      if let maxVersions { d.maxVersions = maxVersions }
      if let ttl { d.ttl = ttl }
      try Self.validateSettings(d)
      try storeDefinition(d, id: f.id, catalog: catalog, txn)
      return (f.definition, d)
    }
    if let ttl = after.ttl, ttl != before.ttl { try indexExpiries(of: feature) }
    return after
  }

  /// The definition of `name`, or nil when it is not defined.
  public func feature(_ name: String) throws -> FeatureDefinition? {
    try readTransaction { txn in try catalog(txn).byName[name]?.definition }
  }

  /// Every defined feature, by name.
  public func features() throws -> [FeatureDefinition] {
    try readTransaction { txn in
      try catalog(txn).byName.values.map(\.definition).sorted { $0.name < $1.name }
    }
  }

  /// Raises the vacuum horizons of features (feature id → time).
  func recordHorizons(
    _ horizons: [UInt64: Int64], catalog: Catalog, _ txn: borrowing WriteTransaction
  ) throws {
    for (id, time) in horizons {
      let f = try catalog.feature(id: id)
      var d = f.definition
      d.vacuumHorizon = max(
        d.vacuumHorizon ?? Timestamp(microseconds: .min), Timestamp(microseconds: time))
      try storeDefinition(d, id: id, catalog: catalog, txn)
    }
  }

  func storeDefinition(
    _ d: FeatureDefinition, id: UInt64, catalog: Catalog, _ txn: borrowing WriteTransaction
  ) throws {
    let json = try StoredJSON.encode(StoredDefinition(d))
    try tables.features.put(txn, key: OrderedVarint.encode(id), value: json)
    var changes = ChangeLog()
    changes.defined(feature: id, definition: json)
    try changes.flush(self, txn)
    try MetaStore(table: tables.meta).set(
      txn, .catalogVersion, MetaStore.nextCatalogVersion(catalog.version))
  }

  static func validateSettings(_ d: FeatureDefinition) throws {
    func fail(_ reason: String) -> FeatureDBError {
      .invalidDefinition(feature: d.name, reason: reason)
    }
    if d.maxVersions < 0 {
      throw fail("maxVersions is \(d.maxVersions); it must be 0 (unlimited) or more")
    }
    if let ttl = d.ttl, ttl.microseconds <= 0 { throw fail("ttl must be positive, got \(ttl)") }
    if case .embedding(let dims) = d.type, dims < 1 || dims > 65_536 {
      throw fail("embedding dims must be 1…65536, got \(dims)")
    }
  }
}
