import CLMDB
import FeatureDB

/// The baseline: plain LMDB with one record per version, 16-byte key (entity u64, feature u32,
/// version u32, big-endian) and a 24-byte value, opened like FeatureDB opens its store.
final class RawLMDB {
  let env: OpaquePointer
  var dbi: MDB_dbi = 0
  let path: String

  init(path: String, durability: Durability) {
    self.path = path
    var e: OpaquePointer?
    mdb_env_create(&e)
    env = e!
    mdb_env_set_mapsize(env, 1 << 34)
    mdb_env_set_maxdbs(env, 4)
    let sync: Int32 =
      switch durability {
      case .durable: 0
      case .noMetaSync: MDB_NOMETASYNC
      case .noSync: MDB_NOSYNC
      }
    precondition(mdb_env_open(env, path, UInt32(MDB_NOTLS | sync), 0o600) == 0)
    var txn: OpaquePointer?
    mdb_txn_begin(env, nil, 0, &txn)
    mdb_dbi_open(txn, "versions", UInt32(MDB_CREATE), &dbi)
    mdb_txn_commit(txn)
  }

  deinit { mdb_env_close(env) }

  static func key(entity: Int, feature: Int, version: Int) -> [UInt8] {
    var k = [UInt8](repeating: 0, count: 16)
    for i in 0..<8 { k[i] = UInt8(truncatingIfNeeded: UInt64(entity) >> (56 - 8 * UInt64(i))) }
    for i in 0..<4 { k[8 + i] = UInt8(truncatingIfNeeded: UInt32(feature) >> (24 - 8 * UInt32(i))) }
    for i in 0..<4 {
      k[12 + i] = UInt8(truncatingIfNeeded: UInt32(version) >> (24 - 8 * UInt32(i)))
    }
    return k
  }

  /// Puts each batch of keys in one transaction (24-byte values).
  func put(batch keys: [[UInt8]]) {
    var txn: OpaquePointer?
    mdb_txn_begin(env, nil, 0, &txn)
    var value = [UInt8](repeating: 7, count: 24)
    for var key in keys {
      key.withUnsafeMutableBytes { k in
        value.withUnsafeMutableBytes { v in
          var mk = MDB_val(mv_size: 16, mv_data: k.baseAddress)
          var mv = MDB_val(mv_size: 24, mv_data: v.baseAddress)
          precondition(mdb_put(txn, dbi, &mk, &mv, 0) == 0)
        }
      }
    }
    precondition(mdb_txn_commit(txn) == 0)
  }

  /// Runs `body` inside one read transaction.
  func read<R>(_ body: (OpaquePointer) -> R) -> R {
    var txn: OpaquePointer?
    mdb_txn_begin(env, nil, UInt32(MDB_RDONLY), &txn)
    defer { mdb_txn_abort(txn) }
    return body(txn!)
  }

  /// One point get; returns the value size.
  @inline(__always)
  func get(_ txn: OpaquePointer, _ key: inout [UInt8]) -> Int {
    key.withUnsafeMutableBytes { k in
      var mk = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
      var mv = MDB_val()
      precondition(mdb_get(txn, dbi, &mk, &mv) == 0)
      return mv.mv_size
    }
  }

  /// Positions a cursor at the first key ≥ `key` and reads `count` records forward.
  func scan(_ txn: OpaquePointer, from key: inout [UInt8], count: Int) -> Int {
    var cursor: OpaquePointer?
    mdb_cursor_open(txn, dbi, &cursor)
    defer { mdb_cursor_close(cursor) }
    var total = 0
    key.withUnsafeMutableBytes { k in
      var mk = MDB_val(mv_size: k.count, mv_data: k.baseAddress)
      var mv = MDB_val()
      var op = MDB_SET_RANGE
      for _ in 0..<count {
        guard mdb_cursor_get(cursor, &mk, &mv, op) == 0 else { break }
        total += mv.mv_size
        op = MDB_NEXT
      }
    }
    return total
  }

  var fileBytes: Int { usedBytes(path) }
}
