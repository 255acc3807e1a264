/// How ``FeatureStore/exportPartitioned(to:options:partitioning:)`` lays out its files.
public struct Partitioning: Sendable, Hashable {
  /// Export only the entities of this shard (others are counted in
  /// ``PartitionedExportSummary/otherShardEntities``); its index names the part files
  /// (`part-<k>-<n>.csv`). Nil (the default): every entity, files `part-0-<n>.csv`.
  public var shard: Shard?
  /// Rows per part file before the next one of the same folder begins (default 1,000,000).
  public var rowsPerFile: Int
  /// Incremental: export only the (feature, entity) pairs changed after this change-feed
  /// sequence number (every pair of a feature whose definition changed), each with its whole
  /// retained history, and list them in `_pairs/`. Nil (the default): every pair.
  public var fromChange: UInt64?

  /// Creates a layout; the defaults are on each property.
  public init(shard: Shard? = nil, rowsPerFile: Int = 1_000_000, fromChange: UInt64? = nil) {
    self.shard = shard
    self.rowsPerFile = rowsPerFile
    self.fromChange = fromChange
  }
}

/// What a partitioned export wrote; also its `_manifest.json`, which the Spark job reads.
public struct PartitionedExportSummary: Sendable, Hashable, Codable {
  /// A feature of the export as the Spark job needs it.
  public struct FeatureInfo: Sendable, Hashable, Codable {
    /// The feature name (the `feature=` partition value).
    public var name: String
    /// The value type, as ``ValueType/description`` prints it (`double`, `embedding:4`…).
    public var type: String
    /// The TTL in microseconds; nil when values never expire.
    public var ttlMicroseconds: Int64?
  }

  /// The layout's name and version: `featuredb-partitioned/1`.
  public var format = PartitionedExportSummary.formatName
  /// The store's id.
  public var storeID: String
  /// The write time W the export read as of (ISO-8601): versions written later are left out,
  /// and a version's status is the one a read at W sees.
  public var writeTime: String
  /// The shard exported (`k/N`); nil: the whole store.
  public var shard: String?
  /// The features, in the order given.
  public var features: [FeatureInfo]
  /// Version rows written (retracted ones and tombstones included).
  public var versions = 0
  /// Rows of removed history written (one per chain and cause).
  public var removedRanges = 0
  /// Entities exported.
  public var entities = 0
  /// Entities with versions of the features that belong to other shards, left out.
  public var otherShardEntities = 0
  /// Part files written.
  public var files = 0
  /// The change-feed sequence number the export started after (incremental exports); nil for
  /// an export of every pair.
  public var fromChange: UInt64?
  /// The last change the export includes: follow the feed, or export incrementally, from
  /// here. Nil for an export as of an earlier write time, which cannot be continued.
  public var toChange: UInt64?
  /// Pairs (feature, entity) an incremental export covers, listed in `_pairs/`.
  public var pairs = 0

  /// The value of ``format`` this build writes.
  public static let formatName = "featuredb-partitioned/1"
}
