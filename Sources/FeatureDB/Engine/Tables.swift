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
  /// (entity, feature) → version chain.
  let chains: Table
  /// (entity, feature, version) → value record too large to keep inline.
  let values: Table
  /// (expiry time, entity, feature, version) → empty: versions in expiry order, for vacuum.
  let expiry: Table
  /// Dictionary number → zstd dictionary bytes.
  let dicts: Table

  var all: [Table] {
    [meta, features, entities, entityNames, symbols, symbolNames, chains, values, expiry, dicts]
  }

  static func open(_ txn: borrowing WriteTransaction) throws -> Tables {
    try Tables(
      meta: .open("meta", in: txn), features: .open("features", in: txn),
      entities: .open("entities", in: txn), entityNames: .open("entity_names", in: txn),
      symbols: .open("symbols", in: txn), symbolNames: .open("symbol_names", in: txn),
      chains: .open("chains", in: txn), values: .open("values", in: txn),
      expiry: .open("expiry", in: txn),
      dicts: .open("dicts", in: txn))
  }

  /// Opens the tables of an existing store without creating any (read-only stores).
  static func openExisting(_ txn: borrowing ReadTransaction, path: String) throws -> Tables {
    func t(_ name: String) throws -> Table {
      guard let table = try Table.openExisting(name, in: txn) else {
        throw FeatureDBError.notAStore(path: path, reason: "table '\(name)' is missing")
      }
      return table
    }
    return try Tables(
      meta: t("meta"), features: t("features"), entities: t("entities"),
      entityNames: t("entity_names"), symbols: t("symbols"), symbolNames: t("symbol_names"),
      chains: t("chains"), values: t("values"), expiry: t("expiry"), dicts: t("dicts"))
  }
}
