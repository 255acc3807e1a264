/// One integrity problem found by ``FeatureStore/verify(maxProblems:progress:)``.
public struct VerifyProblem: Hashable, Sendable, CustomStringConvertible {
  /// The table holding the bad record.
  public var table: String
  /// Which record: feature, entity and version where known.
  public var location: String
  /// What is wrong.
  public var message: String
  /// `table: location: message`.
  public var description: String { "\(table): \(location): \(message)" }
}

/// What ``FeatureStore/verify(maxProblems:progress:)`` found.
public struct VerifyReport: Hashable, Sendable {
  /// The first problems found (at most `maxProblems`).
  public var problems: [VerifyProblem] = []
  /// Every problem found, including those not listed.
  public var problemCount = 0
  /// Records checked.
  public var records = 0
  /// Expiry-index entries for versions already removed (harmless; vacuum drops them).
  public var staleExpiryEntries = 0
  /// True when no problem was found.
  public var isClean: Bool { problemCount == 0 }
}

extension FeatureStore {
  /// Checks the whole store: decodes every record (checksums included) and checks every index
  /// against the data — interned ids both ways, chains against the catalog, values and expiry
  /// entries against their chains. Runs in one read snapshot with memory bounded by
  /// `maxProblems`; `progress(done, total)` is called every 10,000 records.
  ///
  /// First it walks every page of `data.mdb` itself (`PageWalker`: page numbers, types, bounds,
  /// key order, counts, the free list). When that finds structural damage, the report lists it
  /// and nothing is read through LMDB, which would follow damaged pages blindly.
  public func verify(maxProblems: Int = 1000, progress: ((Int, Int) -> Void)? = nil) throws
    -> VerifyReport
  {
    // The structure of data.mdb first, walked by FeatureDB itself: LMDB trusts its pages, and
    // a damaged one could send it anywhere. Only a sound snapshot is then read through LMDB.
    try structureSnapshot("verify") { txn -> VerifyReport? in
      guard let structure = try env.checkStructure(txn, maxProblems: maxProblems) else {
        return nil  // writers moved on past this snapshot's meta page; take a newer one
      }
      if structure.problemCount > 0 {
        var report = VerifyReport()
        report.problems = structure.problems.map {
          VerifyProblem(
            table: $0.tree.isEmpty ? "data.mdb" : $0.tree,
            location: $0.page.map { "page \($0)" } ?? "data.mdb", message: $0.message)
        }
        report.problemCount = structure.problemCount
        return report
      }
      let checker = Verifier(store: self, maxProblems: maxProblems, progress: progress)
      try checker.run(txn)
      return checker.report
    }
  }
}

/// The checks behind ``FeatureStore/verify(maxProblems:progress:)``.
final class Verifier {
  let store: FeatureStore
  let maxProblems: Int
  let progress: ((Int, Int) -> Void)?
  var report = VerifyReport()
  /// The versions of the chain ``chainHas(_:_:_:kind:_:)`` last read (nil: it does not decode).
  var lastChain: (key: [UInt8], kinds: [UInt64: ChainRecord.Kind]?)?
  var total = 0
  /// Versions written at or before this time may predate the lineage indexes (format 1).
  var indexedAfter = Int64.min
  /// Run symbols known to have a record.
  var knownRuns: Set<UInt64> = []
  /// The run index ranges of one entity, by run (``checkIndexed(_:inputs:_:_:_:_:)``).
  var runRanges: (entity: UInt64, byRun: [UInt64: [RunIndexChunk.Range]]) = (.max, [:])

  init(store: FeatureStore, maxProblems: Int, progress: ((Int, Int) -> Void)?) {
    self.store = store
    self.maxProblems = maxProblems
    self.progress = progress
  }

  func problem(_ table: Table, _ location: String, _ message: String) {
    report.problemCount += 1
    if report.problems.count < maxProblems {
      report.problems.append(VerifyProblem(table: table.name, location: location, message: message))
    }
  }

  /// Visits every record of `table` in key order, counting it for progress.
  func scan(
    _ table: Table, _ txn: borrowing ReadTransaction,
    _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Void
  ) throws {
    let cursor = try Cursor(table, txn)
    var entry = try cursor.first()
    while let (key, value) = entry {
      report.records += 1
      if report.records % 10_000 == 0 { progress?(report.records, total) }
      try body(key, value)
      entry = try cursor.next()
    }
  }

  func run(_ txn: borrowing ReadTransaction) throws {
    let t = store.tables
    total = try t.all.reduce(0) { $0 + (try $1.count(txn)) }
    let catalog: Catalog
    do {
      catalog = try store.catalog(txn)
    } catch let error as FeatureDBError {
      problem(t.features, "catalog", error.description)
      return
    }
    for message in MetaStore(table: t.meta).problems(txn, path: store.path) {
      problem(t.meta, "meta", message)
    }
    // The catalog and metadata were checked by loading them above.
    report.records += try t.meta.count(txn) + t.features.count(txn) + t.dicts.count(txn)
    indexedAfter = try Self.indexedAfter(MetaStore(table: t.meta), txn)
    try checkInterned(store.entityTable, txn)
    try checkInterned(store.symbolTable, txn)
    try checkChains(catalog, txn)
    try checkValues(catalog, txn)
    try checkExpiry(catalog, txn)
    try checkLineageIndexes(catalog, txn)
    try checkLineageTables(catalog, txn)
    try checkStates(txn)
    try checkChanges(catalog, txn)
    progress?(report.records, total)
  }

  /// Every name → id entry has the matching id → name entry, and the other way round.
  func checkInterned(_ table: InternTable, _ txn: borrowing ReadTransaction) throws {
    for (forward, reverse, isForward) in [
      (table.forward, table.reverse, true), (table.reverse, table.forward, false),
    ] {
      try scan(forward, txn) { key, value in
        let (name, idBytes) = isForward ? (key, value) : (value, key)
        let label = "'\(String(decoding: name, as: UTF8.self))'"
        var r = ByteReader(idBytes)
        if (try? OrderedVarint.read(&r)) == nil || !r.isAtEnd {
          problem(forward, label, "undecodable id")
        } else if let back = try reverse.get(txn, key: Array(isForward ? idBytes : name)) {
          if !back.elementsEqual(isForward ? name : idBytes) {
            problem(forward, label, "\(reverse.name) maps it elsewhere")
          }
        } else {
          problem(forward, label, "missing from \(reverse.name)")
        }
      }
    }
  }

  func entityName(_ id: UInt64, _ txn: borrowing ReadTransaction) -> String {
    (try? store.entityTable.name(id, txn)) ?? "#\(id)"
  }

  func checkChains(_ catalog: Catalog, _ txn: borrowing ReadTransaction) throws {
    let t = store.tables
    try scan(t.chains, txn) { key, value in
      guard let (entityID, featureID) = Keys.parseChain(key) else {
        problem(t.chains, "key \(key.map { String($0) }.joined(separator: " "))", "undecodable key")
        return
      }
      let entity = entityName(entityID, txn)
      guard let feature = catalog.byID[featureID] else {
        problem(t.chains, "entity '\(entity)'", "unknown feature id \(featureID)")
        return
      }
      let location = "feature '\(feature.name)' entity '\(entity)'"
      if (try store.entityTable.reverse.get(txn, key: OrderedVarint.encode(entityID))) == nil {
        problem(t.chains, location, "entity number \(entityID) is not interned")
      }
      do {
        let head = try ChainRecord.Reader(value, format: feature.format, epoch: store.epoch)
        var previous: ChainRecord.Entry?
        var highest: UInt64 = 0
        var seen: Set<UInt64> = []
        var inSegments = ChainRecord.SegmentSummary(entries: 0, active: 0, maxVersion: 0)
        var isHead = true
        try store.forEachRecord(head: head, feature, entityID: entityID, txn) { record in
          var reader = record
          while let e = try reader.next() {
            let at = "\(location) version \(e.version)"
            if !seen.insert(e.version).inserted { problem(t.chains, at, "version appears twice") }
            if let p = previous,
              p.eventTime < e.eventTime || (p.eventTime == e.eventTime && p.version < e.version)
            {
              problem(t.chains, at, "entries out of order")
            }
            highest = max(highest, e.version)
            previous = e
            if !isHead {
              inSegments.entries += 1
              inSegments.active += e.isRetracted ? 0 : 1
              inSegments.maxVersion = max(inSegments.maxVersion, e.version)
            }
            try checkEntry(e, reader, feature, entityID, at, catalog, txn)
          }
          isHead = false
          return true
        }
        if let next = head.header.nextVersion, next <= highest {
          problem(t.chains, location, "next version \(next) is not above version \(highest)")
        }
        // `maxVersion` is a bound: pruning and vacuum do not lower it.
        if let summary = head.header.segments,
          summary.entries != inSegments.entries || summary.active != inSegments.active
            || summary.maxVersion < inSegments.maxVersion
        {
          problem(
            t.chains, location,
            "the head counts \(summary.entries) segment entries (\(summary.active) active, up to version \(summary.maxVersion)); the segments hold \(inSegments.entries) (\(inSegments.active), \(inSegments.maxVersion))"
          )
        }
      } catch let error as DecodeError {
        problem(t.chains, location, error.description)
      }
    }
    try checkSegments(catalog, txn)
  }

  /// Every segment belongs to a head that has segments, and its key names its last entry.
  func checkSegments(_ catalog: Catalog, _ txn: borrowing ReadTransaction) throws {
    guard let table = store.tables.v2?.segments else { return }
    try scan(table, txn) { key, value in
      guard let (entityID, featureID) = Keys.parseSegmentChain(key),
        let feature = catalog.byID[featureID]
      else {
        problem(table, "key \(key.map { String($0) }.joined(separator: " "))", "undecodable key")
        return
      }
      let location = "feature '\(feature.name)' entity '\(entityName(entityID, txn))'"
      let chainKey = Keys.chain(entity: entityID, feature: featureID)
      let head = try store.tables.chains.get(txn, key: chainKey)
      if head.map({ $0.withUnsafeBytes(ChainRecord.hasSegments) }) != true {
        problem(table, location, "a segment whose chain head has no segments")
      }
      do {
        var reader = try ChainRecord.Reader(value, format: feature.format, epoch: store.epoch)
        guard reader.header == ChainRecord.Header() else {
          throw DecodeError("a segment record with header fields")
        }
        var last: ChainRecord.Entry?
        var count = 0
        while let e = try reader.next() {
          last = e
          count += 1
        }
        if count > ChainUpdate.segmentLimit {
          problem(
            table, location,
            "a segment holds \(count) entries; segments hold at most \(ChainUpdate.segmentLimit)")
        }
        guard let last,
          Keys.parseSegment(key, chainLength: chainKey.count).map({
            $0 == (last.eventTime, last.version)
          }) == true
        else { throw DecodeError("the segment key does not name its last entry") }
      } catch let error as DecodeError {
        problem(table, location, error.description)
      }
    }
  }

  func checkEntry(
    _ e: ChainRecord.Entry, _ reader: ChainRecord.Reader, _ feature: Feature, _ entityID: UInt64,
    _ at: String,
    _ catalog: Catalog, _ txn: borrowing ReadTransaction
  ) throws {
    let t = store.tables
    for symbol in [e.producer, e.run, e.source] where symbol != 0 {
      if (try t.symbolNames.get(txn, key: OrderedVarint.encode(symbol))) == nil {
        problem(t.chains, at, "lineage symbol \(symbol) is not interned")
      }
    }
    var inputs: [LineageExtra.Input] = []
    if let range = e.extra {
      let extra = try LineageExtra.decode(UnsafeRawBufferPointer(rebasing: reader.buffer[range]))
      inputs = extra.inputs
      for op in extra.statusChanges where try store.operation(op, txn) == nil {
        problem(t.chains, at, "retracted by operation \(op), which the operations log lacks")
      }
      if e.isRetracted && extra.statusChanges.isEmpty {
        problem(t.chains, at, "retracted, but no operation retracted it")
      }
      for input in extra.inputs {
        switch input {
        case .version(let f, let en, _):
          if catalog.byID[f] == nil {
            problem(t.chains, at, "lineage input names unknown feature id \(f)")
          }
          if (try t.entityNames.get(txn, key: OrderedVarint.encode(en))) == nil {
            problem(t.chains, at, "lineage input names entity number \(en), not interned")
          }
        case .raw(let s):
          if (try t.symbolNames.get(txn, key: OrderedVarint.encode(s))) == nil {
            problem(t.chains, at, "raw lineage input symbol \(s) is not interned")
          }
        }
      }
    } else if e.isRetracted {
      problem(t.chains, at, "retracted, but no operation retracted it")
    }
    let chainKey = Keys.chain(entity: entityID, feature: feature.id)
    switch e.kind {
    case .inline: _ = try reader.inlineValue(e)
    case .tombstone: break
    case .external:
      if let record = try t.values.get(txn, key: Keys.value(chain: chainKey, version: e.version)) {
        do {
          let canonical = try record.withUnsafeBytes { try store.storedCanonical($0, feature, txn) }
          _ = try canonical.withUnsafeBytes { try ValueCodec.decode(feature.format, $0) }
        } catch let error as DecodeError {
          problem(t.values, at, error.description)
        }
      } else {
        problem(t.values, at, "value record is missing")
      }
    }
    if let ttl = feature.ttl {
      let key = Keys.expiry(
        at: Retention.expiry(e.eventTime, ttl), entity: entityID, feature: feature.id,
        version: e.version)
      if (try t.expiry.get(txn, key: key)) == nil {
        problem(t.expiry, at, "no expiry index entry for a version with a TTL")
      }
    }
    try checkIndexed(e, inputs: inputs, feature, entityID, at, txn)
  }

  /// Every value record belongs to an entry stored out of line.
  func checkValues(_ catalog: Catalog, _ txn: borrowing ReadTransaction) throws {
    let t = store.tables
    try scan(t.values, txn) { key, _ in
      guard let (entityID, featureID, version) = Keys.parseValue(key),
        let feature = catalog.byID[featureID]
      else {
        problem(t.values, "key", "undecodable key or unknown feature")
        return
      }
      let at = "feature '\(feature.name)' entity '\(entityName(entityID, txn))' version \(version)"
      if try !chainHas(feature, entityID, version, kind: .external, txn) {
        problem(t.values, at, "no chain entry refers to it")
      }
    }
  }

  /// Every state blob and checkpoint passes its checksum.
  func checkStates(_ txn: borrowing ReadTransaction) throws {
    guard let v2 = store.tables.v2 else { return }
    for table in [v2.states, v2.checkpoints] {
      try scan(table, txn) { key, value in
        if table.name == "states", Keys.parseIDs(key, count: 2) == nil {
          problem(table, "key", "undecodable key")
        } else if (try? StateRecord.decode(value)) == nil {
          problem(table, String(decoding: key, as: UTF8.self), "checksum mismatch")
        }
      }
    }
  }

  /// Every `run_versions` and `derived` key names versions that were written.
  func checkLineageIndexes(_ catalog: Catalog, _ txn: borrowing ReadTransaction) throws {
    guard let v2 = store.tables.v2 else { return }
    var last: (entity: UInt64, feature: UInt64, next: UInt64)?
    func written(_ entity: UInt64, _ feature: UInt64, _ version: UInt64) throws -> Bool {
      guard let f = catalog.byID[feature] else { return false }
      if last?.entity != entity || last?.feature != feature {
        last = (entity, feature, try store.nextVersion(entity: entity, feature: f, txn))
      }
      return version >= 1 && version < last!.next
    }
    try scan(v2.runVersions, txn) { key, value in
      guard let ids = Keys.parseIDs(key, count: 3), let chunk = try? RunIndexChunk.decode(value)
      else {
        problem(v2.runVersions, "key", "undecodable record")
        return
      }
      for r in chunk.ranges where try !written(ids[1], r.feature, r.first + r.count - 1) {
        problem(
          v2.runVersions, "run symbol \(ids[0])",
          "names versions \(r.first)…\(r.first + r.count - 1) of entity \(entityName(ids[1], txn)), feature id \(r.feature), not all written"
        )
      }
    }
    try scan(v2.derived, txn) { key, _ in
      guard let ids = Keys.parseIDs(key, count: 6) else {
        problem(v2.derived, "key", "undecodable key")
        return
      }
      if try !written(ids[0], ids[1], ids[2]) || !written(ids[3], ids[4], ids[5]) {
        problem(
          v2.derived, "entity \(entityName(ids[3], txn)) feature id \(ids[4]) version \(ids[5])",
          "links versions that were never written")
      }
    }
  }

  /// Every expiry entry decodes; entries of removed versions are counted as stale.
  func checkExpiry(_ catalog: Catalog, _ txn: borrowing ReadTransaction) throws {
    let t = store.tables
    try scan(t.expiry, txn) { key, _ in
      guard let parsed = Keys.parseExpiry(key), let feature = catalog.byID[parsed.feature] else {
        problem(t.expiry, "key", "undecodable key or unknown feature")
        return
      }
      if try !chainHas(feature, parsed.entity, parsed.version, kind: nil, txn) {
        report.staleExpiryEntries += 1
      }
    }
  }

  /// Whether the chain of (feature, entity) holds `version` (of `kind`, when given). The
  /// versions of the last chain asked about are kept: `values` keys come chain by chain.
  func chainHas(
    _ feature: Feature, _ entityID: UInt64, _ version: UInt64, kind: ChainRecord.Kind?,
    _ txn: borrowing ReadTransaction
  ) throws -> Bool {
    let key = Keys.chain(entity: entityID, feature: feature.id)
    if lastChain?.key != key {
      var kinds: [UInt64: ChainRecord.Kind]? = [:]
      if let record = try store.tables.chains.get(txn, key: key) {
        record.withUnsafeBytes { buffer in
          guard
            let head = try? ChainRecord.Reader(buffer, format: feature.format, epoch: store.epoch)
          else {
            kinds = nil  // damaged, and reported as such: do not blame its values too
            return
          }
          try? store.forEachRecord(head: head, feature, entityID: entityID, txn) { record in
            var reader = record
            while let e = try reader.next() { kinds![e.version] = e.kind }
            return true
          }
        }
      }
      lastChain = (key, kinds)
    }
    guard let kinds = lastChain!.kinds else { return true }
    guard let found = kinds[version] else { return false }
    return kind == nil || found == kind
  }
}
