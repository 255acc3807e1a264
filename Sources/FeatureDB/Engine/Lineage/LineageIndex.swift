/// The lineage indexes a write batch adds to, in its own transaction: what each run wrote
/// (`run_versions`, `run_features`), which versions were derived from which (`derived`), the
/// feature graph (`edges`), and implicit run records for runs nobody began.
struct LineageIndex {
  let tables: Tables.TablesV2
  let writeTime: Int64
  /// (run, feature) → versions written and new entities, in this batch.
  private var runFeatures = RunFeatureCounts()
  /// (parent feature, child feature, producer) → versions derived in this batch.
  private var edges: [Edge: UInt64] = [:]
  /// Run symbols this batch named, with their ids.
  private var runs: [UInt64: String] = [:]
  /// (run, source symbol) → versions, in this batch; the versions of the last key are counted
  /// in `sourceRun` until the key changes (a batch's versions usually share one).
  private var runSources: [RunFeature: UInt64] = [:]
  private var sourceRun = (key: RunFeature(run: 0, feature: 0), count: UInt64(0))
  /// The run last recorded in `runs`.
  private var lastNamedRun: UInt64 = 0
  private var value = ByteWriter(capacity: 16)
  /// The (run, entity) whose versions are being collected (a batch's versions come grouped by
  /// entity), and its last `run_versions` chunk.
  private var open: (run: UInt64, entity: UInt64, chunk: UInt64, ranges: RunIndexChunk)?

  struct RunFeature: Hashable {
    var run: UInt64
    var feature: UInt64
  }

  struct Edge: Hashable {
    var parent: UInt64
    var child: UInt64
    var producer: UInt64
  }

  init(tables: Tables.TablesV2, writeTime: Int64) {
    self.tables = tables
    self.writeTime = writeTime
  }

  /// Indexes one written version of (entity, feature).
  mutating func add(
    entity: UInt64, feature: UInt64, version: UInt64, eventTime: Int64,
    lineage: borrowing EncodedLineage, _ txn: borrowing WriteTransaction
  ) throws {
    if lineage.run != 0 {
      if lineage.run != lastNamedRun, let runName = lineage.runName {
        runs[lineage.run] = runName
        lastNamedRun = lineage.run
      }
      if open.map({ $0.run != lineage.run || $0.entity != entity }) ?? true {
        try closeChunk(txn)
        open = try lastChunk(run: lineage.run, entity: entity, txn)
      }
      let isNewEntity = try !open!.ranges.has(feature) && !(try earlierChunksHave(feature, txn))
      if open!.ranges.isFull {
        try closeChunk(txn)
        open = (lineage.run, entity, open!.chunk + 1, RunIndexChunk())
      }
      open!.ranges.add(feature: feature, version: version)
      runFeatures.add(run: lineage.run, feature: feature, newEntity: isNewEntity)
      if lineage.source != 0 {
        let k = RunFeature(run: lineage.run, feature: lineage.source)
        if k != sourceRun.key {
          if sourceRun.count > 0 { runSources[sourceRun.key, default: 0] += sourceRun.count }
          sourceRun = (k, 0)
        }
        sourceRun.count += 1
      }
    }
    for input in lineage.inputs {
      guard case .version(let pf, let pe, let pv) = input else { continue }
      value.bytes.removeAll(keepingCapacity: true)
      value.signedVarint(eventTime)
      try tables.derived.put(
        txn, key: Keys.ids(pe, pf, pv, entity, feature, version), value: value.bytes)
      edges[Edge(parent: pf, child: feature, producer: lineage.producer), default: 0] += 1
    }
  }

  /// The last `run_versions` chunk of (run, entity): its number and ranges (a new chunk 0 when
  /// there is none).
  private func lastChunk(run: UInt64, entity: UInt64, _ txn: borrowing WriteTransaction) throws
    -> (run: UInt64, entity: UInt64, chunk: UInt64, ranges: RunIndexChunk)
  {
    let prefix = Keys.ids(run, entity)
    let cursor = try Cursor(tables.runVersions, txn)
    // Chunk numbers are ovarints: 0xFF sorts after every one of them.
    let after = try (prefix + [0xFF]).withUnsafeBytes { try cursor.seek($0) }
    guard let (key, value) = after == nil ? try cursor.last() : try cursor.previous(),
      key.starts(with: prefix)
    else { return (run, entity, 0, RunIndexChunk()) }
    guard let ids = Keys.parseIDs(key, count: 3) else {
      throw FeatureDBError.corruptStore(table: "run_versions", detail: "undecodable key")
    }
    do {
      return (run, entity, ids[2], try RunIndexChunk.decode(value))
    } catch {
      throw FeatureDBError.corruptStore(table: "run_versions", detail: "\(error)")
    }
  }

  /// Whether a chunk before the open one has a range of `feature` (only when there are any).
  private func earlierChunksHave(_ feature: UInt64, _ txn: borrowing WriteTransaction) throws
    -> Bool
  {
    guard let open, open.chunk > 0 else { return false }
    for n in 0..<open.chunk {
      let bytes = try tables.runVersions.get(txn, key: Keys.ids(open.run, open.entity, n))
      let chunk = try bytes.map { b in try b.withUnsafeBytes { try RunIndexChunk.decode($0) } }
      if chunk?.has(feature) == true { return true }
    }
    return false
  }

  /// Writes the open chunk back.
  private mutating func closeChunk(_ txn: borrowing WriteTransaction) throws {
    guard let o = open, !o.ranges.ranges.isEmpty else { return }
    try tables.runVersions.put(
      txn, key: Keys.ids(o.run, o.entity, o.chunk), value: o.ranges.encoded())
  }

  /// Writes the open chunk, adds the batch's counts to `run_features` and `edges`, and records
  /// runs nobody began.
  mutating func flush(_ store: FeatureStore, _ txn: borrowing WriteTransaction) throws {
    try closeChunk(txn)
    var totals: [UInt64: UInt64] = [:]
    for (k, counts) in runFeatures.all {
      try IndexCounts.add(
        counts.versions, entities: counts.entities, at: writeTime,
        to: Keys.ids(k.run, k.feature), tables.runFeatures, txn)
      totals[k.run, default: 0] += counts.versions
    }
    for (run, versions) in totals {
      try IndexCounts.add(
        versions, entities: 0, at: writeTime, to: Keys.ids(run, 0), tables.runFeatures, txn)
    }
    if sourceRun.count > 0 { runSources[sourceRun.key, default: 0] += sourceRun.count }
    sourceRun.count = 0
    for (k, count) in runSources {  // key: run, 0, source symbol
      try IndexCounts.add(
        count, entities: 0, at: writeTime, to: Keys.ids(k.run, 0, k.feature), tables.runFeatures,
        txn)
    }
    for (e, count) in edges {
      try IndexCounts.add(
        count, entities: 0, at: writeTime, to: Keys.ids(e.parent, e.child, e.producer),
        tables.edges, txn)
    }
    for (symbol, id) in runs {
      if try store.runRecord(symbol, txn) == nil {
        var run = Run(id: id, startedAt: Timestamp(microseconds: writeTime))
        run.implicit = true
        try store.storeRun(run, symbol: symbol, txn)
      }
    }
  }
}

/// The value of `run_features` and `edges` records, one layout for both: `varint count, varint
/// entities, svarint first write time, svarint last write time`.
enum IndexCounts {
  struct Counts: Equatable {
    var count: UInt64
    var entities: UInt64
    var firstWrite: Int64
    var lastWrite: Int64
  }

  static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> Counts {
    var r = ByteReader(bytes)
    let c = Counts(
      count: try r.varint(), entities: try r.varint(), firstWrite: try r.signedVarint(),
      lastWrite: try r.signedVarint())
    guard r.isAtEnd else { throw DecodeError("trailing bytes in a count record") }
    return c
  }

  static func encode(_ c: Counts) -> [UInt8] {
    var w = ByteWriter(capacity: 16)
    w.varint(c.count)
    w.varint(c.entities)
    w.signedVarint(c.firstWrite)
    w.signedVarint(c.lastWrite)
    return w.bytes
  }

  /// Adds `count` and `entities` to the record at `key`, stamping `time` as its last write.
  static func add(
    _ count: UInt64, entities: UInt64, at time: Int64, to key: [UInt8], _ table: Table,
    _ txn: borrowing WriteTransaction
  ) throws {
    var c = Counts(count: 0, entities: 0, firstWrite: time, lastWrite: time)
    if let old = try table.get(txn, key: key) {
      do {
        c = try old.withUnsafeBytes { try decode($0) }
      } catch {
        throw FeatureDBError.corruptStore(table: table.name, detail: "\(error)")
      }
    }
    c.count &+= count
    c.entities &+= entities
    c.lastWrite = time
    try table.put(txn, key: key, value: encode(c))
  }
}
