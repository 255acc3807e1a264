import CLMDB

/// A cursor over one table inside one transaction; closed when it goes out of scope, which is
/// always before its transaction ends because both are only lent to closures.
struct Cursor: ~Copyable {
  let handle: OpaquePointer

  init(_ table: Table, _ txn: borrowing some Transaction & ~Copyable) throws {
    var cursor: OpaquePointer?
    try check(mdb_cursor_open(txn.handle, table.dbi, &cursor))
    handle = cursor!
  }

  deinit { mdb_cursor_close(handle) }

  /// A key and value lent from the map; valid until the next cursor move or write.
  typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

  private func move(_ op: MDB_cursor_op, key: UnsafeRawBufferPointer? = nil) throws -> Entry? {
    var k = MDB_val(
      mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
    var v = MDB_val()
    let code = mdb_cursor_get(handle, &k, &v, op)
    if code == MDB_NOTFOUND { return nil }
    try check(code)
    return (
      UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
      UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    )
  }

  /// Positions at `key` exactly (`MDB_SET_KEY`).
  func find(_ key: UnsafeRawBufferPointer) throws -> Entry? { try move(MDB_SET_KEY, key: key) }
  /// Positions at the first key ≥ `key` (`MDB_SET_RANGE`).
  func seek(_ key: UnsafeRawBufferPointer) throws -> Entry? { try move(MDB_SET_RANGE, key: key) }
  func first() throws -> Entry? { try move(MDB_FIRST) }
  func last() throws -> Entry? { try move(MDB_LAST) }
  func next() throws -> Entry? { try move(MDB_NEXT) }
  func previous() throws -> Entry? { try move(MDB_PREV) }
  func current() throws -> Entry? { try move(MDB_GET_CURRENT) }

  /// Writes through the cursor (`mdb_cursor_put`); afterwards the cursor is at the written key.
  func put(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []) throws
  {
    var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
    var v = MDB_val(
      mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
    try check(mdb_cursor_put(handle, &k, &v, flags.rawValue))
  }

  /// Deletes the entry at the cursor.
  func deleteCurrent() throws { try check(mdb_cursor_del(handle, 0)) }
}
