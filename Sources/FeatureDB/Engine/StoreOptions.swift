/// How a ``FeatureStore`` is opened. Every property has a sane default.
///
/// ```swift
/// let db = try FeatureStore(path: "features.fdb", options: StoreOptions(durability: .noMetaSync))
/// ```
public struct StoreOptions: Sendable {
  /// When commits reach the disk; default ``Durability/durable``.
  public var durability: Durability
  /// Open without writing; writes throw ``FeatureDBError/readOnly(path:)``. Default false.
  public var readOnly: Bool
  /// Initial map size in bytes (default 1 GiB); the map doubles when full.
  public var mapSize: Int
  /// The map never grows beyond this (default 1 TiB); then writes throw
  /// ``FeatureDBError/storeFull(path:mapSize:)``.
  public var maxMapSize: Int
  /// Permissions of newly created store files (default 0600).
  public var fileMode: UInt32
  /// zstd level for value records (default 1, fast).
  public var compressionLevel: Int32
  /// Create a new store when `path` does not exist or is an empty directory. Default true, so
  /// `FeatureStore(path:)` on a new path makes a store. Pass false to require an existing store
  /// (what every `fdb` command but `init` and `demo` does), so a mistyped path is an error, not
  /// a new empty store. Either way an existing `data.mdb` is never replaced: an empty or damaged
  /// one throws ``FeatureDBError/damagedStore(path:detail:)``. Ignored when `readOnly`.
  public var create: Bool
  /// Check the B-tree pages on each read's path before LMDB follows them (about a microsecond
  /// per read). LMDB trusts its file: on a store damaged on disk (a flipped bit in a page header)
  /// a read may otherwise crash the process. With this on it throws
  /// ``FeatureDBError/corruptStore(table:detail:)`` instead. Default false; `fdb` turns it on.
  /// Misses are checked either way, so a damaged page never reads as "no value".
  public var checkPages: Bool

  /// Creates options; each parameter defaults to the value its property documents.
  public init(
    durability: Durability = .durable, readOnly: Bool = false, mapSize: Int = 1 << 30,
    maxMapSize: Int = 1 << 40, fileMode: UInt32 = 0o600, compressionLevel: Int32 = 1,
    create: Bool = true, checkPages: Bool = false
  ) {
    self.create = create
    self.checkPages = checkPages
    self.durability = durability
    self.readOnly = readOnly
    self.mapSize = mapSize
    self.maxMapSize = maxMapSize
    self.fileMode = fileMode
    self.compressionLevel = compressionLevel
  }
}
