import Foundation

/// The format-2 lineage tables checked by ``FeatureStore/verify(maxProblems:progress:)``: every
/// record decodes and names what exists, the indexes hold every version written since format 2
/// (a run's versions, the reverse index and the graph of every version input), their counts add
/// up, and operations, their rules and `meta.next_operation` agree. A damaged or deleted record
/// here changes what `runs`, `ops`, `run show`, `lineage --downstream`, `rollback --run` and
/// `--cascade` answer, so each is named with its table.
extension Verifier {
  /// Checks of one retained chain entry against the lineage indexes; entries written before the
  /// store was upgraded from format 1 were never indexed (`indexedAfter`).
  func checkIndexed(
    _ e: ChainRecord.Entry, inputs: [LineageExtra.Input], _ feature: Feature, _ entityID: UInt64,
    _ at: String, _ txn: borrowing ReadTransaction
  ) throws {
    guard let v2 = store.tables.v2, e.writeTime > indexedAfter else { return }
    if e.run != 0 {
      if try !runIndexHas(run: e.run, entity: entityID, feature: feature.id, e.version, txn) {
        problem(
          v2.runVersions, at,
          "run \(symbolName(e.run, txn)) wrote this version, but its run index lacks it (a rollback of the run would miss it)"
        )
      }
      if !knownRuns.contains(e.run),
        try v2.runs.get(txn, key: OrderedVarint.encode(e.run)) == nil
      {
        problem(v2.runs, at, "run \(symbolName(e.run, txn)) wrote this version but has no record")
      } else {
        knownRuns.insert(e.run)
      }
    }
    for input in inputs {
      guard case .version(let pf, let pe, let pv) = input else { continue }
      let derivedKey = Keys.ids(pe, pf, pv, entityID, feature.id, e.version)
      if try v2.derived.get(txn, key: derivedKey) == nil {
        problem(
          v2.derived, at,
          "no reverse-index entry for its input \(pf):\(entityName(pe, txn))@\(pv) (downstream lineage and cascades would skip this version)"
        )
      }
      if try v2.edges.get(txn, key: Keys.ids(pf, feature.id, e.producer)) == nil {
        problem(v2.edges, at, "the feature graph lacks the edge from feature id \(pf)")
      }
    }
  }

  /// Whether the run index of (`run`, `entity`) lists `version` of `feature`. The ranges of the
  /// entity being checked are kept: chains come entity by entity.
  private func runIndexHas(
    run: UInt64, entity: UInt64, feature: UInt64, _ version: UInt64,
    _ txn: borrowing ReadTransaction
  ) throws -> Bool {
    if runRanges.entity != entity { runRanges = (entity, [:]) }
    if runRanges.byRun[run] == nil {
      // An undecodable chunk is reported by checkRunCounts; here it lists nothing.
      runRanges.byRun[run] = (try? store.runRanges(run, entity: entity, txn)) ?? []
    }
    return runRanges.byRun[run]!.contains { $0.contains(feature: feature, version: version) }
  }

  /// The write time at or before which versions may predate the lineage indexes: that of the
  /// upgrade from format 1 (`meta.upgraded_from`: "format N at TIME by …"), else the earliest
  /// time. An upgrade record this cannot read exempts every version (never a false report).
  static func indexedAfter(_ meta: MetaStore, _ txn: borrowing ReadTransaction) throws -> Int64 {
    guard let bytes = try meta.bytes(txn, .upgradedFrom) else { return .min }
    let words = String(decoding: bytes, as: UTF8.self).split(separator: " ")
    guard let at = words.firstIndex(of: "at"), at + 1 < words.count,
      let time = Timestamp(iso8601: String(words[at + 1]))
    else { return .max }
    return time.microseconds
  }

  func symbolName(_ id: UInt64, _ txn: borrowing ReadTransaction) -> String {
    (try? store.symbolTable.name(id, txn)).map { "'\($0)'" } ?? "#\(id)"
  }

  // MARK: - Tables

  /// Every record of the format-2 lineage tables, and their counts against each other.
  func checkLineageTables(_ catalog: Catalog, _ txn: borrowing ReadTransaction) throws {
    guard let v2 = store.tables.v2 else { return }
    try checkRuns(v2, txn)
    try checkRunCounts(v2, catalog, txn)
    try checkEdgeCounts(v2, catalog, txn)
    try checkOperations(v2, txn)
    try checkGroups(v2, catalog, txn)
  }

  /// Visits every record of `table`, whose key is one `ovarint` (a run symbol, an operation id);
  /// a key that is not one is a problem.
  private func scanByID(
    _ table: Table, _ txn: borrowing ReadTransaction,
    _ body: (UInt64, UnsafeRawBufferPointer) throws -> Void
  ) throws {
    try scan(table, txn) { key, value in
      guard let id = Keys.parseIDs(key, count: 1)?.first else {
        problem(table, "key", "undecodable key")
        return
      }
      try body(id, value)
    }
  }

  /// Each run record decodes and its key is the symbol of its id.
  private func checkRuns(_ v2: Tables.TablesV2, _ txn: borrowing ReadTransaction) throws {
    try scanByID(v2.runs, txn) { symbol, value in
      do {
        let run = try FeatureStore.decodeRun(value)
        let name = try? store.symbolTable.name(symbol, txn)
        if name != run.id {
          problem(
            v2.runs, "run '\(run.id)'",
            "stored under symbol \(symbol), which names \(name.map { "'\($0)'" } ?? "nothing")")
        }
      } catch {
        problem(v2.runs, "run \(symbolName(symbol, txn))", "\(error)")
      }
    }
  }

  /// `run_features` agrees with `run_versions`: per (run, feature) the versions and entities of
  /// its ranges, per run the total; every run index record belongs to a run with a record.
  private func checkRunCounts(
    _ v2: Tables.TablesV2, _ catalog: Catalog, _ txn: borrowing ReadTransaction
  ) throws {
    struct Count: Equatable {
      var versions: UInt64 = 0
      var entities: UInt64 = 0
    }
    var counts: [[UInt64]: Count] = [:]  // [run, feature]; feature 0: the run's total
    var lastEntity: [[UInt64]: UInt64] = [:]
    var runsSeen: Set<UInt64> = []
    try scan(v2.runVersions, txn) { key, value in
      guard let ids = Keys.parseIDs(key, count: 3), let chunk = try? RunIndexChunk.decode(value)
      else {
        problem(v2.runVersions, "key", "undecodable record")
        return
      }
      let (run, entity) = (ids[0], ids[1])
      if runsSeen.insert(run).inserted, try v2.runs.get(txn, key: OrderedVarint.encode(run)) == nil
      {
        problem(v2.runVersions, "run \(symbolName(run, txn))", "indexes a run with no record")
      }
      for r in chunk.ranges {
        let k = [run, r.feature]
        counts[k, default: Count()].versions &+= r.count
        counts[[run, 0], default: Count()].versions &+= r.count
        if lastEntity.updateValue(entity, forKey: k) != entity { counts[k]!.entities += 1 }
      }
    }
    try scan(v2.runFeatures, txn) { key, value in
      let ids = Keys.parseIDs(key, count: 2) ?? Keys.parseIDs(key, count: 3)
      guard let ids, ids.count == 2 || ids[1] == 0,
        let c = try? IndexCounts.decode(value)
      else {
        problem(v2.runFeatures, "key", "undecodable record")
        return
      }
      guard ids.count == 2 else { return }  // (run, 0, source): counts of one source
      let location = "run \(symbolName(ids[0], txn)) feature id \(ids[1])"
      if ids[1] != 0, catalog.byID[ids[1]] == nil {
        problem(v2.runFeatures, location, "unknown feature id")
      }
      let expected = counts.removeValue(forKey: ids) ?? Count()
      let found = Count(versions: c.count, entities: ids[1] == 0 ? 0 : c.entities)
      if found != Count(versions: expected.versions, entities: ids[1] == 0 ? 0 : expected.entities)
      {
        problem(
          v2.runFeatures, location,
          "counts \(c.count) versions of \(c.entities) entities; the run index holds \(expected.versions) of \(expected.entities)"
        )
      }
    }
    for (ids, c) in counts where c.versions > 0 {
      problem(
        v2.runFeatures, "run \(symbolName(ids[0], txn)) feature id \(ids[1])",
        "missing; the run index holds \(c.versions) versions")
    }
  }

  /// `edges` agrees with `derived`: per (parent feature, derived feature) its counts over every
  /// producer are the reverse index's links.
  private func checkEdgeCounts(
    _ v2: Tables.TablesV2, _ catalog: Catalog, _ txn: borrowing ReadTransaction
  ) throws {
    var links: [[UInt64]: UInt64] = [:]  // [parent feature, derived feature]
    try scan(v2.derived, txn) { key, _ in
      if let ids = Keys.parseIDs(key, count: 6) { links[[ids[1], ids[4]], default: 0] += 1 }
    }
    var edges: [[UInt64]: UInt64] = [:]
    try scan(v2.edges, txn) { key, value in
      guard let ids = Keys.parseIDs(key, count: 3), let c = try? IndexCounts.decode(value) else {
        problem(v2.edges, "key", "undecodable record")
        return
      }
      if catalog.byID[ids[0]] == nil || catalog.byID[ids[1]] == nil {
        problem(v2.edges, "feature ids \(ids[0]) → \(ids[1])", "unknown feature id")
      }
      if ids[2] != 0, (try? store.symbolTable.name(ids[2], txn)) == nil {
        problem(
          v2.edges, "feature ids \(ids[0]) → \(ids[1])", "producer symbol \(ids[2]) is not interned"
        )
      }
      edges[[ids[0], ids[1]], default: 0] &+= c.count
    }
    for k in Set(links.keys).union(edges.keys) where links[k] != edges[k] {
      problem(
        v2.edges, "feature ids \(k[0]) → \(k[1])",
        "counts \(edges[k] ?? 0) links; the reverse index (derived) holds \(links[k] ?? 0)")
    }
  }

  /// Each operation decodes under its own id, below `meta.next_operation`; a rollback and the
  /// undo of it name each other; every operation has its rule, and every rule its operation.
  private func checkOperations(_ v2: Tables.TablesV2, _ txn: borrowing ReadTransaction) throws {
    var ops: [UInt64: OperationRecord] = [:]
    try scanByID(v2.operations, txn) { id, value in
      do {
        let op = try FeatureStore.decodeOperation(value)
        if op.id != id {
          problem(v2.operations, "operation \(id)", "the record names operation \(op.id)")
        }
        ops[id] = op
      } catch {
        problem(v2.operations, "operation \(id)", "\(error)")
      }
    }
    if let last = ops.keys.max() {
      let next = try MetaStore(table: store.tables.meta).uint(txn, .nextOperation)
      if next.map({ $0 <= last }) ?? true {
        problem(
          store.tables.meta, "next_operation",
          "\(next.map { "is \($0)" } ?? "is missing"), but operation \(last) exists (the next rollback would overwrite an operation)"
        )
      }
    }
    for (id, op) in ops {
      let at = "operation \(id)"
      if let undone = op.undoes, ops[undone]?.undoneBy != id {
        problem(v2.operations, at, "undoes operation \(undone), which does not name it as its undo")
      }
      if let undo = op.undoneBy, ops[undo]?.undoes != id {
        problem(v2.operations, at, "undone by operation \(undo), which does not undo it")
      }
      if op.kind == .undo, op.undoes == nil {
        problem(v2.operations, at, "an undo that names no operation")
      }
      if try store.retractionRule(id, txn) == nil {
        problem(v2.retractions, at, "the operation has no retraction rule")
      }
    }
    try scan(v2.retractions, txn) { key, value in
      if let op = Keys.parseIDs(key, count: 1)?.first {
        if (try? RetractionRule.decode(value)) == nil {
          problem(v2.retractions, "operation \(op)", "undecodable rule")
        }
        if ops[op] == nil { problem(v2.retractions, "operation \(op)", "a rule with no operation") }
      } else if let ids = Keys.parseIDs(key, count: 4) {
        if ops[ids[0]] == nil {
          problem(v2.retractions, "operation \(ids[0])", "lists versions but has no operation")
        }
      } else {
        problem(v2.retractions, "key", "undecodable key")
      }
    }
  }

  /// Each group decodes under its own name and lists defined features.
  private func checkGroups(
    _ v2: Tables.TablesV2, _ catalog: Catalog, _ txn: borrowing ReadTransaction
  ) throws {
    try scan(v2.groups, txn) { key, value in
      let name = String(decoding: key, as: UTF8.self)
      do {
        let group = try FeatureStore.decodeGroup(value)
        if group.name != name {
          problem(v2.groups, "group '\(name)'", "the record names group '\(group.name)'")
        }
        for f in group.features where catalog.byName[f] == nil {
          problem(v2.groups, "group '\(name)'", "lists feature '\(f)', which is not defined")
        }
      } catch {
        problem(v2.groups, "group '\(name)'", "\(error)")
      }
    }
  }
}
