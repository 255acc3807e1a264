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

  public init(
    durability: Durability = .durable, readOnly: Bool = false, mapSize: Int = 1 << 30,
    maxMapSize: Int = 1 << 40, fileMode: UInt32 = 0o600, compressionLevel: Int32 = 1
  ) {
    self.durability = durability
    self.readOnly = readOnly
    self.mapSize = mapSize
    self.maxMapSize = maxMapSize
    self.fileMode = fileMode
    self.compressionLevel = compressionLevel
  }
}
