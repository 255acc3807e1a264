import CLMDB

/// Flags for writing one key (`mdb_put` flags).
struct PutFlags: OptionSet, Sendable {
  let rawValue: UInt32
  /// `MDB_NOOVERWRITE`: fail with `LMDBError.keyExists` if the key exists.
  static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
  /// `MDB_APPEND`: the key sorts after every key in the table (bulk load, full pages).
  static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
  /// `MDB_CURRENT`: replace the item at the cursor position (cursor puts only).
  static let current = PutFlags(rawValue: UInt32(MDB_CURRENT))
}

/// A named LMDB database ("table"), keys compared bytewise.
struct Table: Sendable {
  let dbi: MDB_dbi
  let name: String

  /// Opens or creates the table; call once per environment, in a write transaction.
  static func open(_ name: String, in txn: borrowing WriteTransaction) throws -> Table {
    var dbi: MDB_dbi = 0
    try check(mdb_dbi_open(txn.handle, name, UInt32(MDB_CREATE), &dbi))
    return Table(dbi: dbi, name: name)
  }

  /// Opens an existing table; `nil` when it does not exist.
  static func openExisting(_ name: String, in txn: borrowing some Transaction & ~Copyable) throws
    -> Table?
  {
    var dbi: MDB_dbi = 0
    let code = mdb_dbi_open(txn.handle, name, 0, &dbi)
    if code == MDB_NOTFOUND { return nil }
    try check(code)
    return Table(dbi: dbi, name: name)
  }

  /// Lends the value stored under `key` to `body` (nil when absent).
  ///
  /// - Warning: the buffer points into LMDB's map; do not escape it from `body`.
  func withValue<R>(
    _ txn: borrowing some Transaction & ~Copyable, key: UnsafeRawBufferPointer,
    _ body: (UnsafeRawBufferPointer?) throws -> R
  ) throws -> R {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    var v = MDB_val()
    let code = mdb_get(txn.handle, dbi, &k, &v)
    if code == MDB_NOTFOUND { return try body(nil) }
    try check(code)
    return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
  }

  /// The value under `key`, copied out.
  func get(_ txn: borrowing some Transaction & ~Copyable, key: [UInt8]) throws -> [UInt8]? {
    try key.withUnsafeBytes { k in try withValue(txn, key: k) { $0.map { Array($0) } } }
  }

  /// Stores `value` under `key`.
  func put(
    _ txn: borrowing WriteTransaction, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
    flags: PutFlags = []
  ) throws {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    var v = MDB_val(
      mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
    try check(mdb_put(txn.handle, dbi, &k, &v, flags.rawValue))
  }

  func put(_ txn: borrowing WriteTransaction, key: [UInt8], value: [UInt8], flags: PutFlags = [])
    throws
  {
    try key.withUnsafeBytes { k in
      try value.withUnsafeBytes { v in try put(txn, key: k, value: v, flags: flags) }
    }
  }

  /// Stores `value` under `key` unless the key exists (`MDB_NOOVERWRITE`), in one search.
  /// Returns nil when it stored the value, else what `body` makes of the existing value.
  func insertOrRead<R>(
    _ txn: borrowing WriteTransaction, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer,
    existing body: (UnsafeRawBufferPointer) throws -> R
  ) throws -> R? {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    var v = MDB_val(
      mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
    let code = mdb_put(txn.handle, dbi, &k, &v, UInt32(MDB_NOOVERWRITE))
    if code == MDB_KEYEXIST {
      return try body(UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size))
    }
    try check(code)
    return nil
  }

  /// Deletes `key`; returns false when it was absent.
  @discardableResult
  func delete(_ txn: borrowing WriteTransaction, key: UnsafeRawBufferPointer) throws -> Bool {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    let code = mdb_del(txn.handle, dbi, &k, nil)
    if code == MDB_NOTFOUND { return false }
    try check(code)
    return true
  }

  @discardableResult
  func delete(_ txn: borrowing WriteTransaction, key: [UInt8]) throws -> Bool {
    try key.withUnsafeBytes { try delete(txn, key: $0) }
  }

  /// Number of entries (`mdb_stat`).
  func count(_ txn: borrowing some Transaction & ~Copyable) throws -> Int {
    var stat = MDB_stat()
    try check(mdb_stat(txn.handle, dbi, &stat))
    return stat.ms_entries
  }

  /// Pages used by this table (branch + leaf + overflow).
  func pages(_ txn: borrowing some Transaction & ~Copyable) throws -> Int {
    var stat = MDB_stat()
    try check(mdb_stat(txn.handle, dbi, &stat))
    return stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages
  }

  /// Removes every entry.
  func clear(_ txn: borrowing WriteTransaction) throws {
    try check(mdb_drop(txn.handle, dbi, 0))
  }
}
