/// Applies one batch inside one write transaction.
///
/// Every operation is checked and encoded first (into one byte arena, nothing allocated per
/// version), then sorted by chain key so consecutive chain updates touch the same leaf pages, and
/// each chain is read, updated and written back once however many of its versions the batch holds.
struct WriteContext {
  let store: FeatureStore
  let catalog: Catalog
  let writeTime: Int64
  /// Entity ids and lineage strings interned in this transaction; they reach the caches only
  /// after it commits (``FeatureStore/writing(_:_:)``).
  var entities: PendingInterns
  var symbols: PendingInterns
  /// The producer, run and source strings interned last, with their ids: lineages with inputs
  /// are encoded one by one, and most repeat these three (a lookup here is a byte comparison,
  /// not a hash and two table probes).
  private var recentSymbols: [(text: String, id: UInt64)] = []
  /// How many strings `recentSymbols` keeps: a pipeline batch cycles through one producer per
  /// extractor (five built in) besides its run and source; a miss costs a hash and a probe.
  private static let recentSymbolCount = 12
  /// The raw inputs of the lineage encoded last, by position among its raw inputs, with their
  /// ids: consecutive versions of one entity usually name the same events.
  private var recentRaw: [(text: String, id: UInt64)] = []
  /// The lineage encoded last with its extra part and inputs: the versions of one event (or of
  /// one user's events of a batch) share their inputs, so theirs are encoded once. (Not an
  /// optional tuple: binding one copies, retaining every string it holds.)
  private var lastLineage = Lineage.none
  private var lastExtra: [UInt8] = []
  private var lastInputs: [LineageExtra.Input] = []
  private var hasLast = false

  init(store: FeatureStore, txn: borrowing WriteTransaction) throws {
    self.store = store
    entities = PendingInterns(store.entityTable)
    symbols = PendingInterns(store.symbolTable)
    catalog = try store.catalog(txn)
    writeTime = try MetaStore(table: store.tables.meta).nextWriteTime(txn)
  }

  /// One operation, checked and encoded, waiting for its version number.
  struct Prepared {
    var index: Int
    var entity: UInt64
    var feature: UInt64
    var eventTime: Int64
    var isExternal: Bool
    /// The entry tail in the arena.
    var tail: Range<Int>
    /// The value record in `externalRecords` when the value is stored out of line.
    var external: Int?
    /// The lineage in `lineages` (0: the batch's).
    var lineage: Int

    func sortsBefore(_ o: Prepared) -> Bool {
      (entity, feature, index) < (o.entity, o.feature, o.index)
    }
  }

  mutating func apply(
    _ batch: WriteBatch, _ txn: borrowing WriteTransaction
  ) throws -> [VersionRef] {
    var arena = ByteWriter(capacity: batch.operations.count * 32)
    var externalRecords: [[UInt8]] = []
    var prepared: [Prepared] = []
    prepared.reserveCapacity(batch.operations.count)
    let batchLineage = try encode(batch.lineage, txn)
    var lineages: [EncodedLineage] = [batchLineage]
    var lineageSlots: [Lineage: Int] = [:]
    var lineageOf: [Lineage] = [batch.lineage]
    // The slot of the previous operation's own lineage: the versions of one event usually
    // share theirs (same producer, run, source and inputs array), so it is encoded once.
    var previousSlot = 0
    // A batch naming few features finds them by comparing with the ones seen so far (equal
    // strings usually share storage, so == is a pointer check) rather than hashing every name.
    // Beyond 33 features each name is looked up in the catalog: a longer scan costs more, its
    // misses comparing bytes (a pipeline batch names 54).
    var seen: [Feature] = []
    // Batches usually repeat the entity of the previous write.
    var lastEntity = ""
    var lastEntityID: UInt64 = 0
    // Fields are read in place (`batch.operations[i].x`): a copy of an operation retains and
    // releases every string it holds.
    for i in batch.operations.indices {
      let feature: Feature
      let name = batch.operations[i].feature
      if seen.count <= 32, let f = seen.first(where: { $0.name == name }) {
        feature = f
      } else {
        feature = try catalog.feature(name)
        if seen.count <= 32 { seen.append(feature) }
      }
      let entityID: UInt64
      // Byte equality: `==` would take a canonically equivalent id for this one.
      let entity = batch.operations[i].entity
      if !lastEntity.isEmpty, lastEntity.hasSameUTF8(as: entity) {
        entityID = lastEntityID
      } else {
        entityID = try entities.id(entity, txn)
        lastEntity = entity
        lastEntityID = entityID
      }
      var slot = 0
      if let own = batch.operations[i].lineage {
        // Lineages with inputs rarely repeat beyond the previous operation: hashing them would
        // cost more than it saves. The dictionary hashes by canonical equivalence: a hit must
        // also be the same bytes.
        if previousSlot > 0, Lineage.sameBytes(own, lineageOf[previousSlot]) {
          slot = previousSlot
        } else if own.inputs.isEmpty, let cached = lineageSlots[own],
          Lineage.sameBytes(own, lineageOf[cached])
        {
          slot = cached
        } else {
          slot = lineages.count
          lineages.append(try encode(own, txn))
          lineageOf.append(own)
          if own.inputs.isEmpty, lineageSlots[own] == nil { lineageSlots[own] = slot }
        }
        previousSlot = slot
      }
      let eventTime =
        (batch.operations[i].eventTime ?? batch.eventTime)?.microseconds ?? writeTime
      let start = arena.bytes.count
      var kind = ChainRecord.Kind.tombstone
      var value: FeatureValue?
      if let v = batch.operations[i].value {
        value = try checked(v, feature, entity)
        kind = .inline
      }
      // The flags byte is written first and patched if the value turns out not to fit inline.
      ChainRecord.writeEntryTail(
        kind: kind, writeTime: writeTime, eventTime: eventTime, lineage: lineages[slot],
        sourceLine: batch.operations[i].sourceLine, epoch: store.epoch, to: &arena)
      var external: Int?
      if let value, !ValueCodec.writeInline(value, to: &arena) {
        let canonical: [UInt8]
        do {
          canonical = try ValueCodec.canonical(value, feature.format)
        } catch {
          throw FeatureDBError.invalidValue(
            feature: feature.name, entity: entity,
            reason:
              "embedding component \(error.component) is \(error.value), outside \(error.limit)")
        }
        if canonical.count <= ValueCodec.inlineLimit {
          arena.lengthPrefixed(canonical)
        } else {
          let dictionary = try feature.definition.dictionary.map { id in
            do { return try store.dictionary(id, txn) } catch let error as DecodeError {
              throw FeatureDBError.corruptStore(table: "dicts", detail: error.description)
            }
          }
          let record = ValueCodec.stored(
            canonical, feature.format, zstd: store.zstd, dictionary: dictionary)
          if ValueCodec.keepsInline(
            canonical: canonical.count, record: record.count, maxVersions: feature.maxVersions)
          {
            arena.lengthPrefixed(canonical)
          } else {
            arena.bytes[start] =
              (arena.bytes[start] & ~ChainRecord.Flag.kindMask)
              | ChainRecord.Kind.external.rawValue
            external = externalRecords.count
            externalRecords.append(record)
          }
        }
      }
      prepared.append(
        Prepared(
          index: i, entity: entityID, feature: feature.id, eventTime: eventTime,
          isExternal: external != nil, tail: start..<arena.bytes.count, external: external,
          lineage: slot))
    }
    // Sorted by chain key, so consecutive writes land on the same leaf pages; stable for equal keys.
    if !zip(prepared, prepared.dropFirst()).allSatisfy({ $0.sortsBefore($1) }) {
      // Sorting small keys, then moving each operation once, moves far fewer bytes than
      // sorting the operations. `prepared[k].index` is k until sorted.
      var order = prepared.map { (entity: $0.entity, feature: $0.feature, index: $0.index) }
      order.sort { $0 < $1 }
      prepared = order.map { prepared[$0.index] }
    }
    var versions = [UInt64](repeating: 0, count: prepared.count)
    // Not an optional: mutating one through `!` copied it out and back at every version.
    var index = LineageIndex(tables: try store.tables.lineage(), writeTime: writeTime)
    var indexed = false
    let cursor = try Cursor(store.tables.chains, txn)
    var update = ChainUpdate()
    var record = ByteWriter(capacity: 4096)
    var key: [UInt8] = []
    key.reserveCapacity(24)
    // Once a key sorts after every stored key, so do all later ones: append without searching.
    var appending = false
    var chainFeature: Feature?
    var changes = ChangeLog()
    var start = 0
    while start < prepared.count {
      var end = start + 1
      while end < prepared.count, prepared[end].entity == prepared[start].entity,
        prepared[end].feature == prepared[start].feature
      {
        end += 1
      }
      if chainFeature?.id != prepared[start].feature {
        chainFeature = try catalog.feature(id: prepared[start].feature)
      }
      let feature = chainFeature!
      key.removeAll(keepingCapacity: true)
      OrderedVarint.append(prepared[start].entity, to: &key)
      OrderedVarint.append(feature.id, to: &key)
      let group = prepared[start..<end]
      let pruned = try key.withUnsafeBytes { k in
        var placement: PutFlags = appending ? .append : []
        var old: UnsafeRawBufferPointer?
        if !appending {
          if let (foundKey, value) = try cursor.seek(k) {
            if foundKey.elementsEqual(k) {
              old = value
              placement = .current
            }
          } else {
            appending = true  // beyond the last key: appending also keeps leaf pages full
            placement = .append
          }
        }
        let edit = ChainEdit(
          store: store, feature: feature, key: key, arena: arena.bytes, writeTime: writeTime,
          placement: placement)
        do {
          return try ChainRecord.withStableHead(old) { old in
            try edit.apply(
              group, old: old, versions: &versions, &update, &record, through: cursor, txn)
          }
        } catch let error as DecodeError {
          throw FeatureDBError.corruptRecord(
            feature: feature.name, entity: batch.operations[group.first!.index].entity,
            version: nil,
            detail: error.description)
        }
      }
      let retention = Retention(
        store: store, feature: feature, chainKey: key, entity: prepared[start].entity)
      for p in pruned where !p.isNew {
        try retention.forget(p, txn)
      }
      for p in group {
        let version = versions[p.index]
        changes.written(
          feature: p.feature, entity: p.entity, version: version, tail: arena.bytes[p.tail])
        if pruned.contains(where: { $0.isNew && $0.version == version }) { continue }
        if lineages[p.lineage].isIndexed {
          indexed = true
          try index.add(
            entity: p.entity, feature: p.feature, version: version, eventTime: p.eventTime,
            lineage: lineages[p.lineage], txn)
        }
        if let e = p.external {
          try store.tables.values.put(
            txn, key: Keys.value(chain: key, version: version), value: externalRecords[e])
        }
        try retention.indexExpiry(version: version, eventTime: p.eventTime, txn)
      }
      for p in pruned {
        changes.removed(
          .pruned, feature: feature.id, entity: prepared[start].entity, version: p.version)
      }
      start = end
    }
    try changes.flush(store, txn, time: writeTime)
    if indexed {
      try checkInputs(batch, prepared, versions, lineages, txn)
      try index.flush(store, txn)
    }
    return batch.operations.indices.map { i in
      VersionRef(
        feature: batch.operations[i].feature, entity: batch.operations[i].entity,
        version: versions[i])
    }
  }

  /// Where the operations of chain (entity, feature) are in `prepared` (sorted by chain: they
  /// are consecutive), by binary search; nil when the batch does not write it.
  static func operations(entity: UInt64, feature: UInt64, in prepared: [Prepared]) -> Range<Int>? {
    func first(where after: (Prepared) -> Bool) -> Int {
      var (lo, hi) = (0, prepared.count)
      while lo < hi {
        let mid = (lo + hi) / 2
        if after(prepared[mid]) { hi = mid } else { lo = mid + 1 }
      }
      return lo
    }
    let lower = first { ($0.entity, $0.feature) >= (entity, feature) }
    let upper = first { ($0.entity, $0.feature) > (entity, feature) }
    return lower < upper ? lower..<upper : nil
  }

  /// Every parent version the batch names was committed before it (even if since pruned) or is
  /// written by an earlier operation of the same batch; checked once the batch's versions are
  /// numbered. No version can name itself or a later one, so no write can make a cycle.
  private func checkInputs(
    _ batch: WriteBatch, _ prepared: [Prepared],
    _ versions: [UInt64], _ lineages: [EncodedLineage], _ txn: borrowing WriteTransaction
  ) throws {
    // Inputs of chains the batch does not write, checked already.
    var checked: Set<LineageExtra.Input> = []
    // Lineages (shared by many operations, as the batch's own is) whose inputs name no chain the
    // batch writes: their answer does not depend on the operation, so one check does.
    var settled: Set<Int> = []
    // Lineages without version inputs (raw inputs need no check) are settled from the start.
    let versionInputs = lineages.map { l in
      l.inputs.contains { if case .version = $0 { true } else { false } }
    }
    for p in prepared where versionInputs[p.lineage] && !settled.contains(p.lineage) {
      var namesBatchChain = false
      // The inputs as given, in the order they were encoded.
      let given = (batch.operations[p.index].lineage ?? batch.lineage).inputs
      for (input, text) in zip(lineages[p.lineage].inputs, given) {
        guard case .version(let f, let e, let v) = input, case .version(let pf, let pe, _) = text
        else { continue }
        // The chain's committed versions are 1..<next.
        let next: UInt64
        if let ops = Self.operations(entity: e, feature: f, in: prepared) {
          namesBatchChain = true
          next = versions[prepared[ops.lowerBound].index]
          if v >= next, v - next < ops.count {
            let writer = prepared[ops.lowerBound + Int(v - next)].index
            if writer < p.index { continue }
            throw FeatureDBError.inputNotCommitted(
              input: VersionRef(feature: pf, entity: pe, version: v),
              version: VersionRef(
                feature: batch.operations[p.index].feature,
                entity: batch.operations[p.index].entity, version: versions[p.index]),
              reason: writer == p.index
                ? "it is the version being written"
                : "operation \(writer + 1) of the same batch writes it, after this one")
          }
        } else {
          guard checked.insert(input).inserted else { continue }
          next = try store.nextVersion(entity: e, feature: try catalog.feature(id: f), txn)
        }
        guard v >= 1, v < next else {
          throw FeatureDBError.unknownVersion(
            feature: pf, entity: pe, version: v,
            detail: next == 1 ? "the pair has no versions" : "its versions are 1…\(next - 1)")
        }
      }
      if !namesBatchChain { settled.insert(p.lineage) }
    }
  }

  /// The value, checked against the feature (an `int` given for a `double` feature is converted).
  private func checked(_ value: FeatureValue, _ feature: Feature, _ entity: String) throws
    -> FeatureValue
  {
    try Self.checked(value, feature, entity)
  }

  /// The value, checked against the feature's type, dims and NaN rule (the encoding's range is
  /// checked when the value is encoded).
  static func checked(_ value: FeatureValue, _ feature: Feature, _ entity: String) throws
    -> FeatureValue
  {
    switch (feature.type, value) {
    case (.int, .int), (.double, .double), (.bool, .bool), (.string, .string), (.bytes, .bytes):
      return value
    case (.double, .int(let v)):
      return .double(Double(v))
    case (.embedding(let dims), .embedding(let v)):
      guard v.count == dims else {
        throw FeatureDBError.invalidValue(
          feature: feature.name, entity: entity,
          reason: "embedding has \(v.count) dims, the feature has \(dims)")
      }
      if let bad = v.firstIndex(where: { !$0.isFinite }) {
        throw FeatureDBError.invalidValue(
          feature: feature.name, entity: entity,
          reason: "embedding component \(bad) is \(v[bad]); NaN and ±Inf are not allowed")
      }
      return value
    default:
      throw FeatureDBError.typeMismatch(
        feature: feature.name, entity: entity, expected: feature.type, got: value.type)
    }
  }

  /// Interns a lineage's strings.
  private mutating func encode(_ lineage: Lineage, _ txn: borrowing WriteTransaction) throws
    -> EncodedLineage
  {
    func symbol(_ s: String?, _ what: String) throws -> UInt64 {
      guard let s, !s.isEmpty else { return 0 }
      if s.utf8.count > maxSymbolLength {
        throw FeatureDBError.invalidArgument(
          "lineage \(what) '\(s.prefix(40))…' is \(s.utf8.count) bytes long; the limit is \(maxSymbolLength)"
        )
      }
      return try symbols.id(s, txn)
    }
    func recent(_ s: String?, _ what: String) throws -> UInt64 {
      guard let s, !s.isEmpty else { return 0 }
      // Byte equality: `==` would take a canonically equivalent string for this one.
      for i in recentSymbols.indices where recentSymbols[i].text.hasSameUTF8(as: s) {
        return recentSymbols[i].id
      }
      let id = try symbol(s, what)
      if recentSymbols.count == Self.recentSymbolCount { recentSymbols.removeFirst() }
      recentSymbols.append((s, id))
      return id
    }
    var encoded = EncodedLineage(
      producer: try recent(lineage.producer, "producer"), run: try recent(lineage.run, "run"),
      source: try recent(lineage.source, "source"))
    encoded.runName = lineage.run
    if hasLast, Lineage.sameExtra(lastLineage, lineage) {
      encoded.extra = lastExtra
      encoded.inputs = lastInputs
      return encoded
    }
    var inputs: [LineageExtra.Input] = []
    inputs.reserveCapacity(lineage.inputs.count)
    var raw = 0
    for input in lineage.inputs {
      switch input {
      case .version(let f, let e, let v):
        try validateEntity(e)
        inputs.append(
          .version(feature: try catalog.feature(f).id, entity: try entities.id(e, txn), version: v))
      case .raw(let id):
        if raw < recentRaw.count, recentRaw[raw].text.hasSameUTF8(as: id) {
          inputs.append(.raw(symbol: recentRaw[raw].id))
        } else {
          let symbolID = try symbol(id, "input id")
          if raw < recentRaw.count {
            recentRaw[raw] = (id, symbolID)
          } else {
            recentRaw.append((id, symbolID))
          }
          inputs.append(.raw(symbol: symbolID))
        }
        raw += 1
      }
    }
    let extra = LineageExtra(inputs: inputs, note: lineage.note ?? "")
    if !extra.isEmpty { encoded.extra = extra.encoded() }
    encoded.inputs = inputs
    (lastLineage, lastExtra, lastInputs, hasLast) = (lineage, encoded.extra, inputs, true)
    return encoded
  }
}
