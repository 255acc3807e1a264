import Foundation

/// A run as stored in `runs` (JSON; times in microseconds since 1970).
private struct StoredRun: Codable {
  var id: String
  var name: String
  var parameters: [String: String]
  var codeVersion: String?
  var host: String?
  var startedMicroseconds: Int64
  var finishedMicroseconds: Int64?
  var status: Run.Status
  var metadata: [String: String]
  var implicit: Bool

  init(_ r: Run) {
    (id, name, parameters, codeVersion, host) = (r.id, r.name, r.parameters, r.codeVersion, r.host)
    startedMicroseconds = r.startedAt.microseconds
    finishedMicroseconds = r.finishedAt?.microseconds
    (status, metadata, implicit) = (r.status, r.metadata, r.implicit)
  }

  var run: Run {
    var r = Run(
      id: id, name: name, parameters: parameters, codeVersion: codeVersion, host: host,
      startedAt: Timestamp(microseconds: startedMicroseconds), status: status, metadata: metadata)
    r.finishedAt = finishedMicroseconds.map(Timestamp.init(microseconds:))
    r.implicit = implicit
    return r
  }
}

extension FeatureStore {
  // MARK: - Runs

  /// Records the start of a run; versions written with `lineage.run == run.id` belong to it.
  ///
  /// - Throws: ``FeatureDBError/invalidArgument(_:)`` when a run of this id exists already.
  public func beginRun(_ run: Run) throws {
    guard !run.id.isEmpty, run.id.utf8.count <= maxSymbolLength else {
      throw FeatureDBError.invalidArgument(
        "a run id is 1 to \(maxSymbolLength) bytes, got \(run.id.utf8.count)")
    }
    try writing("begin run") { context, txn in
      let symbol = try context.symbols.id(run.id, txn)
      if let existing = try runRecord(symbol, txn), !existing.implicit {
        throw FeatureDBError.invalidArgument("run '\(run.id)' exists already")
      }
      try storeRun(run, symbol: symbol, txn)
    }
  }

  /// Records the end of a run with its status (and optional metadata to merge).
  ///
  /// - Throws: ``FeatureDBError/unknownRun(_:)``.
  public func finishRun(
    _ id: String, status: Run.Status = .succeeded, metadata: [String: String] = [:]
  ) throws {
    try writeTransaction("finish run") { txn in
      var (symbol, run) = try existingRun(id, txn)
      run.finishedAt = .now
      run.metadata.merge(metadata) { $1 }
      // A rolled-back run stays rolled back; an undo restores the status it finished with.
      if run.status == .rolledBack {
        run.metadata[Run.statusBeforeRollback] = status.rawValue
      } else {
        run.status = status
      }
      try storeRun(run, symbol: symbol, txn)
    }
  }

  /// The run of this id, or nil.
  public func run(_ id: String) throws -> Run? {
    try readTransaction { txn in
      guard let symbol = try symbolTable.lookup(id, txn) else { return nil }
      return try runRecord(symbol, txn)
    }
  }

  /// Runs, newest start first: `limit` of them after skipping `offset`.
  public func runs(limit: Int = 50, offset: Int = 0) throws -> [Run] {
    guard limit >= 0, offset >= 0 else {
      throw FeatureDBError.invalidArgument("limit and offset must be 0 or more")
    }
    return try readTransaction { txn in
      guard let table = tables.v2?.runs else { return [] }
      var all: [Run] = []
      let cursor = try Cursor(table, txn)
      var entry = try cursor.first()
      while let (_, value) = entry {
        all.append(try Self.decodeRun(value))
        entry = try cursor.next()
      }
      all.sort { ($0.startedAt, $0.id) > ($1.startedAt, $1.id) }
      return Array(all.dropFirst(offset).prefix(limit))
    }
  }

  /// What run `id` wrote, per feature (from the run index).
  ///
  /// - Throws: ``FeatureDBError/unknownRun(_:)``.
  public func runSummary(_ id: String) throws -> [RunFeatureSummary] {
    try read { snap in
      let (symbol, _) = try existingRun(id, snap)
      var out: [RunFeatureSummary] = []
      try forEachRunCount(symbol, snap) { ids, c in
        guard ids.count == 2, ids[1] != 0 else { return }  // not the totals, not a source
        out.append(
          RunFeatureSummary(
            feature: try snap.catalog.feature(id: ids[1]).name, versions: Int(c.count),
            entities: Int(c.entities), firstWrite: Timestamp(microseconds: c.firstWrite),
            lastWrite: Timestamp(microseconds: c.lastWrite)))
      }
      return out
    }
  }

  /// The sources (files, tables, topics) of the versions run `id` wrote, with how many versions
  /// came from each.
  public func runSources(_ id: String) throws -> [(source: String, versions: Int)] {
    try readTransaction { txn in
      let (symbol, _) = try existingRun(id, txn)
      var out: [(String, Int)] = []
      try forEachRunCount(symbol, txn) { ids, c in
        guard ids.count == 3 else { return }  // (run, 0, source)
        out.append((try symbolTable.name(ids[2], txn), Int(clamping: c.count)))
      }
      return out
    }
  }

  /// The versions run `id` wrote, in (entity, feature, version) order: `limit` of them after
  /// the first `offset`. Streams from the run index.
  public func runVersions(_ id: String, limit: Int = 1_000, offset: Int = 0) throws
    -> [VersionRef]
  {
    try read { snap in
      let (symbol, _) = try existingRun(id, snap)
      var out: [VersionRef] = []
      var skipped = 0
      try forEachRunVersion(symbol, snap) { e, f, v in
        if skipped < offset {
          skipped += 1
          return true
        }
        out.append(
          VersionRef(
            feature: try snap.catalog.feature(id: f).name,
            entity: try entityTable.name(e, snap), version: v))
        return out.count < limit
      }
      return out
    }
  }

  // MARK: - Internal

  /// The symbol and record of run `id`.
  ///
  /// - Throws: ``FeatureDBError/unknownRun(_:)``.
  func existingRun(_ id: String, _ txn: borrowing some Transaction & ~Copyable) throws -> (
    symbol: UInt64, run: Run
  ) {
    guard let symbol = try symbolTable.lookup(id, txn), let run = try runRecord(symbol, txn)
    else { throw FeatureDBError.unknownRun(id) }
    return (symbol, run)
  }

  /// Calls `body(key ids, counts)` for each `run_features` record of run `symbol`: per feature
  /// (run, feature), the totals (run, 0) and per source (run, 0, source).
  private func forEachRunCount(
    _ symbol: UInt64, _ txn: borrowing some Transaction & ~Copyable,
    _ body: ([UInt64], IndexCounts.Counts) throws -> Void
  ) throws {
    guard let table = tables.v2?.runFeatures else { return }
    let prefix = Keys.ids(symbol)
    let cursor = try Cursor(table, txn)
    var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
    while let (key, value) = entry, key.starts(with: prefix) {
      guard let ids = Keys.parseIDs(key, count: 2) ?? Keys.parseIDs(key, count: 3),
        let c = try? IndexCounts.decode(value)
      else { throw FeatureDBError.undecodable(table, key: key) }
      try body(ids, c)
      entry = try cursor.next()
    }
  }

  /// Calls `body(entity, feature, version)` for each version run `symbol` wrote, entity by
  /// entity, until it returns false.
  func forEachRunVersion(
    _ symbol: UInt64, _ txn: borrowing some Transaction & ~Copyable,
    _ body: (UInt64, UInt64, UInt64) throws -> Bool
  ) throws {
    try forEachRunChunk(symbol, txn) { entity, _, chunk in
      for r in chunk.ranges {
        for v in r.first..<(r.first + r.count) where !(try body(entity, r.feature, v)) {
          return false
        }
      }
      return true
    }
  }

  /// The ranges of every `run_versions` chunk of run `symbol` for `entity`.
  func runRanges(
    _ symbol: UInt64, entity: UInt64, _ txn: borrowing some Transaction & ~Copyable
  ) throws -> [RunIndexChunk.Range] {
    var ranges: [RunIndexChunk.Range] = []
    try forEachRunChunk(symbol, txn, from: Keys.ids(symbol, entity)) { e, _, chunk in
      guard e == entity else { return false }
      ranges += chunk.ranges
      return true
    }
    return ranges
  }

  /// Calls `body(entity, chunk key, chunk)` for each `run_versions` chunk of run `symbol`, in
  /// key order from `resume` (a chunk key), until it returns false.
  func forEachRunChunk(
    _ symbol: UInt64, _ txn: borrowing some Transaction & ~Copyable, from resume: [UInt8]? = nil,
    _ body: (UInt64, [UInt8], RunIndexChunk) throws -> Bool
  ) throws {
    guard let table = tables.v2?.runVersions else { return }
    let prefix = Keys.ids(symbol)
    let cursor = try Cursor(table, txn)
    var entry = try (resume ?? prefix).withUnsafeBytes { try cursor.seek($0) }
    while let (key, value) = entry, key.starts(with: prefix) {
      guard let ids = Keys.parseIDs(key, count: 3), let chunk = try? RunIndexChunk.decode(value)
      else {
        throw FeatureDBError.undecodable(table, key: key)
      }
      guard try body(ids[1], Array(key), chunk) else { return }
      entry = try cursor.next()
    }
  }

  /// The run record of run symbol `symbol`, or nil.
  func runRecord(_ symbol: UInt64, _ txn: borrowing some Transaction & ~Copyable) throws -> Run? {
    guard let table = tables.v2?.runs else { return nil }
    return try OrderedVarint.encode(symbol).withUnsafeBytes { k in
      try table.withValue(txn, key: k) { v in try v.map(Self.decodeRun) }
    }
  }

  static func decodeRun(_ bytes: UnsafeRawBufferPointer) throws -> Run {
    try StoredJSON.decode(StoredRun.self, bytes, table: "runs", what: "run record").run
  }

  func storeRun(_ run: Run, symbol: UInt64, _ txn: borrowing WriteTransaction) throws {
    try tables.lineage().runs.put(
      txn, key: OrderedVarint.encode(symbol), value: StoredJSON.encode(StoredRun(run)))
  }

  /// The next version number of (entity, feature): 1 for a pair never written.
  func nextVersion(entity: UInt64, feature: Feature, _ txn: borrowing some Transaction & ~Copyable)
    throws -> UInt64
  {
    try Keys.chain(entity: entity, feature: feature.id).withUnsafeBytes { k in
      try tables.chains.withValue(txn, key: k) { head in
        guard let head else { return 1 }
        do {
          var reader = try ChainRecord.Reader(head, format: feature.format, epoch: epoch)
          var highest: UInt64 = 0
          while let e = try reader.next() { highest = max(highest, e.version) }
          return reader.header.versionAfter(highest: highest)
        } catch {
          throw FeatureDBError.corruptStore(table: "chains", detail: "\(error)")
        }
      }
    }
  }
}
