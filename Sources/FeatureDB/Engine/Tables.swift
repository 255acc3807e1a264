/// The store's named LMDB tables (docs/format.md describes each).
struct Tables: Sendable {
  /// Store identity and counters: magic, format version, epoch, catalog version…
  let meta: Table
  /// Feature id → definition (JSON).
  let features: Table
  /// Entity id string → entity id; and the reverse.
  let entities: Table
  let entityNames: Table
  /// Lineage strings (producer, run, source, raw input ids) → id; and the reverse.
  let symbols: Table
  let symbolNames: Table
  /// (entity, feature) → head of the version chain.
  let chains: Table
  /// (entity, feature, version) → value record too large to keep inline.
  let values: Table
  /// (expiry time, entity, feature, version) → empty: versions in expiry order, for vacuum.
  let expiry: Table
  /// Dictionary number → zstd dictionary bytes.
  let dicts: Table
  /// The tables format version 2 added; nil only in a version-1 store opened read-only.
  let v2: TablesV2?
  /// (first sequence number) → a chunk of the change feed (format 3); nil only in an older
  /// store opened read-only.
  let changes: Table?

  /// The format-2 tables; a version-1 store opened read-only has none, and reads treat them as
  /// empty.
  struct TablesV2: Sendable {
    /// (entity, feature, last event time, last version) → an older segment of a version chain.
    let segments: Table
    /// Run symbol → run record (JSON).
    let runs: Table
    /// (run, feature) → what the run wrote of the feature (feature 0: the run's totals).
    let runFeatures: Table
    /// (run, entity, feature, version) → event time: every version a run wrote.
    let runVersions: Table
    /// (parent entity, feature, version, child entity, feature, version) → child event time.
    let derived: Table
    /// (parent feature, child feature, producer) → count and last write time: the feature graph.
    let edges: Table
    /// Operation id → operation record (JSON): rollbacks and undos.
    let operations: Table
    /// Operation id (and the versions it names) → a retraction not yet applied to every chain.
    let retractions: Table
    /// (entity, namespace symbol) → an opaque per-entity state blob (pipeline windows).
    let states: Table
    /// Checkpoint name → bytes (input positions committed with the output).
    let checkpoints: Table
    /// Feature group name → definition (JSON): named sets of features a model consumes.
    let groups: Table

    var all: [Table] {
      [
        segments, runs, runFeatures, runVersions, derived, edges, operations, retractions, states,
        checkpoints, groups,
      ]
    }

    static let names = [
      "segments", "runs", "run_features", "run_versions", "derived", "edges", "operations",
      "retractions", "states", "checkpoints", "groups",
    ]

    init(_ t: [Table]) {
      (segments, runs, runFeatures, runVersions) = (t[0], t[1], t[2], t[3])
      (derived, edges, operations, retractions) = (t[4], t[5], t[6], t[7])
      (states, checkpoints, groups) = (t[8], t[9], t[10])
    }
  }

  var all: [Table] {
    [meta, features, entities, entityNames, symbols, symbolNames, chains, values, expiry, dicts]
      + (v2?.all ?? []) + (changes.map { [$0] } ?? [])
  }

  /// The format-2 tables, for code that writes (a writer always has them: it upgrades a
  /// version-1 store when it opens it).
  func lineage() throws -> TablesV2 {
    guard let v2 else {
      throw FeatureDBError.invalidArgument(
        "this version-1 store is open read-only; open it for writing once to upgrade it to format 2"
      )
    }
    return v2
  }

  static func open(_ txn: borrowing WriteTransaction) throws -> Tables {
    try Tables(
      meta: .open("meta", in: txn), features: .open("features", in: txn),
      entities: .open("entities", in: txn), entityNames: .open("entity_names", in: txn),
      symbols: .open("symbols", in: txn), symbolNames: .open("symbol_names", in: txn),
      chains: .open("chains", in: txn), values: .open("values", in: txn),
      expiry: .open("expiry", in: txn), dicts: .open("dicts", in: txn),
      v2: TablesV2(TablesV2.names.map { try .open($0, in: txn) }),
      changes: .open("changes", in: txn))
  }

  /// Opens the tables of an existing store without creating any (read-only stores). A
  /// version-1 store has no format-2 tables, and a store before version 3 no `changes`.
  static func openExisting(_ txn: borrowing ReadTransaction, path: String, format: UInt32) throws
    -> Tables
  {
    func t(_ name: String) throws -> Table {
      guard let table = try Table.openExisting(name, in: txn) else {
        throw FeatureDBError.notAStore(path: path, reason: "table '\(name)' is missing")
      }
      return table
    }
    return try Tables(
      meta: t("meta"), features: t("features"), entities: t("entities"),
      entityNames: t("entity_names"), symbols: t("symbols"), symbolNames: t("symbol_names"),
      chains: t("chains"), values: t("values"), expiry: t("expiry"), dicts: t("dicts"),
      v2: format >= 2 ? TablesV2(TablesV2.names.map(t)) : nil,
      changes: format >= 3 ? t("changes") : nil)
  }
}

extension FeatureDBError {
  /// A record of `table` at `key` that does not decode, named so that it can be found.
  static func undecodable(_ table: Table, key: some Collection<UInt8>) -> FeatureDBError {
    .corruptStore(
      table: table.name,
      detail:
        "the record at key \(key.map { String($0, radix: 16) }.joined(separator: " ")) does not decode ('fdb verify' lists the damage)"
    )
  }
}
