import CLMDB
import FeatureDB
import Foundation

extension Scenarios {
  /// `import_symbols`: what a CSV import of N rows adds to `symbols` (the file is one symbol,
  /// each row's line a number in its entry) and bytes per version after it, next to the same
  /// versions (same event time) written through the API with a producer and a run, as in
  /// `storage`.
  func importSymbols(quick: Bool) {
    let features = names("i.f", sizes.features)
    var fields: [String: Any] = [:]
    var versions = 0
    var importBytes = 0
    for rows in quick ? [1_000, 10_000] : [1_000, 10_000, 100_000] {
      let dir = temporaryDirectory("import-symbols-\(rows)")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      writeImportCSV(dir + "/in.csv", rows: rows, features: features)
      let storePath = dir + "/store"
      var cells = 0
      do {
        let store = try! FeatureStore(path: storePath, options: StoreOptions(durability: .noSync))
        for f in features { try! store.define(FeatureDefinition(f, type: .double)) }
        cells =
          try! store.importCSV(
            dir + "/in.csv",
            options: ImportOptions(entityColumn: "entity_id", timestampColumn: "ts", run: "bench")
          ).cells
        try! store.sync()
      }  // closed: LMDB allows one open environment per file and process
      fields["symbols_after_\(rows)_rows"] = tableEntries(storePath, "symbols")
      versions = cells
      importBytes = usedBytes(storePath)
      fields["pages_by_table"] = tablePages(storePath)
    }
    // The same versions written through the API, one batch per 10,000.
    let dir = temporaryDirectory("import-symbols-api")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    do {
      let store = try! FeatureStore(
        path: dir + "/store", options: StoreOptions(durability: .noSync))
      let eventTime = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
      _ = try! fill(
        store, features: features, entities: names("user", versions / features.count),
        eventTime: { _ in eventTime })
      try! store.sync()
    }
    fields["api_pages_by_table"] = tablePages(dir + "/store")
    fields["versions"] = versions
    fields["bytes_per_version"] = round3(Double(importBytes) / Double(versions))
    fields["api_bytes_per_version"] = round3(Double(usedBytes(dir + "/store")) / Double(versions))
    fields["unit"] =
      "symbols in a fresh store after one import of N rows × \(features.count) features"
    report("import_symbols", nil, extra: fields)
  }

  /// Pages (branch, leaf, overflow) of every named table of the store at `path`.
  func tablePages(_ path: String) -> [String: Int] {
    readOnlyLMDB(path) { txn in
      var main: MDB_dbi = 0
      mdb_dbi_open(txn, nil, 0, &main)
      var cursor: OpaquePointer?
      mdb_cursor_open(txn, main, &cursor)
      defer { mdb_cursor_close(cursor) }
      var out: [String: Int] = [:]
      var k = MDB_val()
      var v = MDB_val()
      var op = MDB_FIRST
      while mdb_cursor_get(cursor, &k, &v, op) == 0 {
        op = MDB_NEXT
        let name = String(
          decoding: UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size), as: UTF8.self)
        let pages = stat(txn, name).map {
          $0.ms_branch_pages + $0.ms_leaf_pages + $0.ms_overflow_pages
        }
        if let pages, pages > 0 { out[name] = pages }
      }
      return out
    }
  }

  /// Entries of the named table `name` in the store at `path` (read-only, through LMDB).
  func tableEntries(_ path: String, _ name: String) -> Int {
    readOnlyLMDB(path) { txn in stat(txn, name).map { Int($0.ms_entries) } ?? 0 }
  }

  /// `mdb_stat` of the named table `name`, nil when there is none.
  private func stat(_ txn: OpaquePointer?, _ name: String) -> MDB_stat? {
    var dbi: MDB_dbi = 0
    guard mdb_dbi_open(txn, name, 0, &dbi) == 0 else { return nil }
    var stat = MDB_stat()
    mdb_stat(txn, dbi, &stat)
    return stat
  }

  /// Runs `body` in a read transaction of the LMDB environment at `path`, opened read-only.
  private func readOnlyLMDB<R>(_ path: String, _ body: (OpaquePointer?) -> R) -> R {
    var env: OpaquePointer?
    mdb_env_create(&env)
    defer { mdb_env_close(env) }
    mdb_env_set_maxdbs(env, 64)
    precondition(mdb_env_open(env, path, UInt32(MDB_RDONLY | MDB_NOTLS), 0o600) == 0)
    var txn: OpaquePointer?
    precondition(mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn) == 0)
    defer { mdb_txn_abort(txn) }
    return body(txn)
  }
}
