extension FeatureStore {
  // MARK: - Writing

  /// Collects writes in `body` and commits them in one transaction: all or none.
  ///
  /// Every version of the batch gets the same write time. Writes are checked against the catalog
  /// before anything is stored; any error leaves the store exactly as it was.
  ///
  /// - Returns: the version written by each operation, in order.
  /// - Throws: ``FeatureDBError`` naming the first bad write.
  @discardableResult
  public func write(_ body: (inout WriteBatch) throws -> Void) throws -> [VersionRef] {
    var batch = WriteBatch()
    try body(&batch)
    return try commit(batch)
  }

  /// Writes one version; see ``write(_:)``.
  @discardableResult
  public func put(
    _ feature: String, _ entity: String, _ value: FeatureValue, eventTime: Timestamp? = nil,
    lineage: Lineage = .none
  ) throws -> VersionRef {
    try write { $0.put(feature, entity, value, eventTime: eventTime, lineage: lineage) }[0]
  }

  /// Writes one version from a Swift value; see ``write(_:)``.
  @discardableResult
  public func put<V: FeatureValueConvertible>(
    _ feature: String, _ entity: String, _ value: V, eventTime: Timestamp? = nil, lineage: Lineage = .none
  ) throws -> VersionRef {
    try put(feature, entity, value.featureValue, eventTime: eventTime, lineage: lineage)
  }

  /// Writes a tombstone version: reads at or after `eventTime` find no value.
  @discardableResult
  public func delete(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, lineage: Lineage = .none
  ) throws -> VersionRef {
    try write { $0.delete(feature, entity, eventTime: eventTime, lineage: lineage) }[0]
  }

  /// Writes every stored property of `object` as the feature of the same name for `entity`.
  @discardableResult
  public func put<T: Encodable>(
    entity: String, _ object: T, eventTime: Timestamp? = nil, lineage: Lineage = .none
  ) throws -> [VersionRef] {
    try write { try $0.put(entity: entity, object, eventTime: eventTime, lineage: lineage) }
  }

  /// Commits a batch built elsewhere; see ``write(_:)``.
  @discardableResult
  public func commit(_ batch: WriteBatch) throws -> [VersionRef] {
    if batch.operations.isEmpty { return [] }
    for op in batch.operations {
      try validateEntity(op.entity)
      for t in [op.eventTime, batch.eventTime].compactMap({ $0 }) where !t.isValid {
        throw FeatureDBError.timeOutOfRange("event time of '\(op.feature)' entity '\(op.entity)'", t)
      }
    }
    var entities = PendingInterns(entityTable)
    var symbols = PendingInterns(symbolTable)
    let refs = try writeTransaction("write") { txn in
      // Runs again from the start if the map had to grow: reset everything it accumulates.
      entities = PendingInterns(entityTable)
      symbols = PendingInterns(symbolTable)
      var context = try WriteContext(store: self, txn: txn)
      return try context.apply(batch, txn, entities: &entities, symbols: &symbols)
    }
    entities.publish()
    symbols.publish()
    return refs
  }
}

/// The state of one write transaction applying a batch.
struct WriteContext {
  let store: FeatureStore
  let catalog: Catalog
  let writeTime: Int64

  init(store: FeatureStore, txn: borrowing WriteTransaction) throws {
    self.store = store
    catalog = try store.catalog(txn)
    let meta = MetaStore(table: store.tables.meta)
    let last = try meta.int(txn, .lastWriteTime) ?? Int64.min
    // Write times never go backwards, even when the clock does.
    writeTime = max(Timestamp.now.microseconds, last == .min ? .min : last + 1)
    try meta.set(txn, .lastWriteTime, UInt64(bitPattern: writeTime))
  }

  /// One operation, checked and encoded, waiting for its version number.
  private struct Prepared {
    var index: Int
    var feature: Feature
    var entity: String
    var key: [UInt8]
    var entry: ChainRecord.NewEntry
    var externalRecord: [UInt8]?
  }

  mutating func apply(
    _ batch: WriteBatch, _ txn: borrowing WriteTransaction, entities: inout PendingInterns,
    symbols: inout PendingInterns
  ) throws -> [VersionRef] {
    var prepared: [Prepared] = []
    prepared.reserveCapacity(batch.operations.count)
    var lineageCache: [Lineage: (UInt64, UInt64, UInt64, [UInt8])] = [:]
    for (i, op) in batch.operations.enumerated() {
      let feature = try catalog.feature(op.feature)
      let entityID = try entities.id(op.entity, txn)
      let lineage = op.lineage ?? batch.lineage
      let encodedLineage: (UInt64, UInt64, UInt64, [UInt8])
      if let cached = lineageCache[lineage] {
        encodedLineage = cached
      } else {
        encodedLineage = try encode(lineage, txn, entities: &entities, symbols: &symbols)
        lineageCache[lineage] = encodedLineage
      }
      let eventTime = (op.eventTime ?? batch.eventTime)?.microseconds ?? writeTime
      var entry = ChainRecord.NewEntry(
        version: 0, kind: .tombstone, writeTime: writeTime, eventTime: eventTime,
        producer: encodedLineage.0, run: encodedLineage.1, source: encodedLineage.2, extra: encodedLineage.3)
      var external: [UInt8]?
      if let value = op.value {
        let payload = ValueCodec.payload(try checked(value, feature, op.entity))
        if ValueCodec.isFixed(feature.type) {
          entry.kind = .inline
          entry.inlineValue = payload
        } else if payload.count <= ValueCodec.inlineLimit {
          entry.kind = .inline
          var w = ByteWriter(capacity: payload.count + 2)
          w.lengthPrefixed(payload)
          entry.inlineValue = w.bytes
        } else {
          entry.kind = .external
          external = ValueRecord.encode(payload, zstd: store.zstd)
        }
      }
      prepared.append(
        Prepared(index: i, feature: feature, entity: op.entity,
                 key: Keys.chain(entity: entityID, feature: feature.id), entry: entry, externalRecord: external))
    }
    // Sorted by key, so consecutive writes land on the same leaf pages; stable for equal keys.
    let order = prepared.indices.sorted {
      let a = prepared[$0].key, b = prepared[$1].key
      return a == b ? $0 < $1 : a.lexicographicallyPrecedes(b)
    }
    var refs = [VersionRef?](repeating: nil, count: prepared.count)
    let cursor = try Cursor(store.tables.chains, txn)
    var start = 0
    while start < order.count {
      let key = prepared[order[start]].key
      var end = start + 1
      while end < order.count, prepared[order[end]].key == key { end += 1 }
      let group = order[start..<end].map { prepared[$0] }
      let versions = try updateChain(key: key, group: group, cursor: cursor, txn)
      for (p, v) in zip(group, versions) {
        refs[p.index] = VersionRef(feature: p.feature.name, entity: p.entity, version: v)
      }
      start = end
    }
    return refs.map { $0! }
  }

  /// Reads the chain at `key`, adds the group's versions, prunes, and writes it back.
  private func updateChain(
    key: [UInt8], group: [Prepared], cursor: borrowing Cursor, _ txn: borrowing WriteTransaction
  ) throws -> [UInt64] {
    let feature = group[0].feature
    var existing: [UInt8] = []
    var placement: PutFlags = []
    try key.withUnsafeBytes { k in
      if let (foundKey, value) = try cursor.seek(k) {
        if foundKey.elementsEqual(k) {
          existing = Array(value)
          placement = .current
        }
      } else {
        placement = .append  // beyond the last key: append keeps leaf pages full
      }
    }
    var update: ChainUpdate
    do {
      update = try ChainUpdate(old: existing, type: feature.type, epoch: store.epoch)
    } catch let error as DecodeError {
      throw FeatureDBError.corruptRecord(
        feature: feature.name, entity: group[0].entity, version: nil, detail: error.description)
    }
    let versions = group.map { update.add($0.entry, externalRecord: $0.externalRecord) }
    update.prune(maxVersions: feature.definition.maxVersions)
    let record = update.encode(epoch: store.epoch)
    try key.withUnsafeBytes { k in
      try record.withUnsafeBytes { v in try cursor.put(key: k, value: v, flags: placement) }
    }
    for version in update.removedExternal {
      try store.tables.values.delete(txn, key: Keys.value(chain: key, version: version))
    }
    for (version, valueRecord) in update.newExternalValues {
      try store.tables.values.put(txn, key: Keys.value(chain: key, version: version), value: valueRecord)
    }
    return versions
  }

  /// The value, checked against the feature (an `int` given for a `double` feature is converted).
  private func checked(_ value: FeatureValue, _ feature: Feature, _ entity: String) throws -> FeatureValue {
    switch (feature.type, value) {
    case (.int, .int), (.double, .double), (.bool, .bool), (.string, .string), (.bytes, .bytes):
      return value
    case (.double, .int(let v)):
      return .double(Double(v))
    case (.embedding(let dims), .embedding(let v)):
      guard v.count == dims else {
        throw FeatureDBError.invalidValue(
          feature: feature.name, entity: entity, reason: "embedding has \(v.count) dims, the feature has \(dims)")
      }
      if let bad = v.firstIndex(where: { !$0.isFinite }) {
        throw FeatureDBError.invalidValue(
          feature: feature.name, entity: entity, reason: "embedding component \(bad) is \(v[bad]); NaN and ±Inf are not allowed")
      }
      return value
    default:
      throw FeatureDBError.typeMismatch(feature: feature.name, entity: entity, expected: feature.type, got: value.type)
    }
  }

  /// Interns a lineage's strings: (producer, run, source, extra bytes).
  private func encode(
    _ lineage: Lineage, _ txn: borrowing WriteTransaction, entities: inout PendingInterns,
    symbols: inout PendingInterns
  ) throws -> (UInt64, UInt64, UInt64, [UInt8]) {
    func symbol(_ s: String?) throws -> UInt64 {
      guard let s, !s.isEmpty else { return 0 }
      return try symbols.id(s, txn)
    }
    let producer = try symbol(lineage.producer)
    let run = try symbol(lineage.run)
    let source = try symbol(lineage.source)
    var inputs: [LineageExtra.Input] = []
    for input in lineage.inputs {
      switch input {
      case .version(let f, let e, let v):
        try validateEntity(e)
        inputs.append(.version(feature: try catalog.feature(f).id, entity: try entities.id(e, txn), version: v))
      case .raw(let id):
        inputs.append(.raw(symbol: try symbol(id)))
      }
    }
    let extra = LineageExtra(inputs: inputs, note: lineage.note ?? "")
    return (producer, run, source, extra.isEmpty ? [] : extra.encoded())
  }
}
