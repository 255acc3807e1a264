import CLMDB

/// When a committed write reaches the disk, and what a crash can lose.
public enum Durability: String, Sendable, Codable, CaseIterable {
  /// Every commit is flushed (data and meta page) before it returns. A crash loses nothing
  /// committed. LMDB's default.
  case durable
  /// Data pages are flushed at commit, the meta page is not (`MDB_NOMETASYNC`). A crash of the
  /// operating system or machine may undo the last committed transactions; the store stays
  /// consistent. A crash of the process alone loses nothing.
  case noMetaSync
  /// Nothing is flushed at commit (`MDB_NOSYNC`); call ``FeatureStore/sync()`` to flush. A crash
  /// of the operating system or machine may lose every transaction since the last flush; on
  /// filesystems that do not keep write order it may also corrupt the store. A crash of the process
  /// alone loses nothing.
  case noSync

  var flags: Int32 {
    switch self {
    case .durable: 0
    case .noMetaSync: MDB_NOMETASYNC
    case .noSync: MDB_NOSYNC
    }
  }
}

/// How an ``Environment`` is opened.
struct EnvironmentOptions: Sendable {
  /// Initial map size in bytes; the map doubles on `MDB_MAP_FULL` up to `maxMapSize`.
  var mapSize: Int = 1 << 30
  /// The map never grows beyond this; a write that needs more fails with `MDB_MAP_FULL`.
  var maxMapSize: Int = 1 << 40
  /// Number of named tables (`mdb_env_set_maxdbs`).
  var maxTables: UInt32 = 32
  /// Reader slots (`mdb_env_set_maxreaders`).
  var maxReaders: UInt32 = 512
  var durability: Durability = .durable
  var readOnly = false
  /// Permissions of newly created files.
  var fileMode: mode_t = 0o600
}
