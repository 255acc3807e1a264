/// The lineage indexes a write batch adds to, in its own transaction: what each run wrote
/// (`run_versions`, `run_features`), which versions were derived from which (`derived`), the
/// feature graph (`edges`), and implicit run records for runs nobody began.
struct LineageIndex {
  let tables: Tables.TablesV2
  let writeTime: Int64
  /// (run, feature) → versions written and new entities, in this batch.
  private var runFeatures: [RunFeature: (versions: UInt64, entities: UInt64)] = [:]
  /// (parent feature, child feature, producer) → versions derived in this batch.
  private var edges: [Edge: UInt64] = [:]
  /// Run symbols this batch named, with their ids.
  private var runs: [UInt64: String] = [:]
  /// (run, source symbol) → versions, in this batch.
  private var runSources: [RunFeature: UInt64] = [:]
  private var key: [UInt8] = []
  private var value = ByteWriter(capacity: 16)
  /// The (run, entity, feature) last checked for a first version: a batch's versions come
  /// grouped by chain.
  private var lastChecked: (UInt64, UInt64, UInt64)?

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
    lineage: EncodedLineage, runName: String?, _ txn: borrowing WriteTransaction
  ) throws {
    if lineage.run != 0 {
      if let runName { runs[lineage.run] = runName }
      key = Keys.ids(lineage.run, entity, feature, version)
      var isNewEntity = false
      if lastChecked.map({ $0 != (lineage.run, entity, feature) }) ?? true {
        isNewEntity = try isFirst(prefix: Keys.ids(lineage.run, entity, feature), txn)
        lastChecked = (lineage.run, entity, feature)
      }
      value.bytes.removeAll(keepingCapacity: true)
      value.signedVarint(eventTime)
      try tables.runVersions.put(txn, key: key, value: value.bytes)
      let k = RunFeature(run: lineage.run, feature: feature)
      var counts = runFeatures[k] ?? (0, 0)
      counts.versions += 1
      if isNewEntity { counts.entities += 1 }
      runFeatures[k] = counts
      if lineage.source != 0 {
        runSources[RunFeature(run: lineage.run, feature: lineage.source), default: 0] += 1
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

  /// Whether no `run_versions` key starts with `prefix` yet.
  private func isFirst(prefix: [UInt8], _ txn: borrowing WriteTransaction) throws -> Bool {
    let cursor = try Cursor(tables.runVersions, txn)
    guard let (k, _) = try prefix.withUnsafeBytes({ try cursor.seek($0) }) else { return true }
    return !k.starts(with: prefix)
  }

  /// Adds the batch's counts to `run_features` and `edges`, and records runs nobody began.
  func flush(_ store: FeatureStore, _ txn: borrowing WriteTransaction) throws {
    var totals: [UInt64: UInt64] = [:]
    for (k, counts) in runFeatures {
      try RunCounts.add(
        counts.versions, entities: counts.entities, at: writeTime,
        to: Keys.ids(k.run, k.feature), tables.runFeatures, txn)
      totals[k.run, default: 0] += counts.versions
    }
    for (run, versions) in totals {
      try RunCounts.add(
        versions, entities: 0, at: writeTime, to: Keys.ids(run, 0), tables.runFeatures, txn)
    }
    for (k, count) in runSources {  // key: run, 0, source symbol
      try RunCounts.add(
        count, entities: 0, at: writeTime, to: Keys.ids(k.run, 0, k.feature), tables.runFeatures,
        txn)
    }
    for (e, count) in edges {
      try RunCounts.add(
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

/// The value of `run_features` and `edges` records: `varint count, varint entities, svarint
/// first write time, svarint last write time`.
enum RunCounts {
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
