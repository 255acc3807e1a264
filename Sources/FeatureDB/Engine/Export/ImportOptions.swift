/// What an empty cell in an imported CSV means.
public enum EmptyCells: String, Sendable, CaseIterable {
  /// Write nothing: the feature keeps the value it had (the default).
  case skip
  /// Write a tombstone at the row's event time: the feature has no value from then on, as Feast's
  /// `get_historical_features` reads a null in a feature view.
  case null
}

/// How ``FeatureStore/importCSV(_:options:)`` reads a file.
public struct ImportOptions: Sendable {
  /// The column holding entity ids.
  public var entityColumn: String
  /// The column holding event times (ISO-8601); nil: every value's event time is the import time.
  public var timestampColumn: String?
  /// Features to load (a column of the same name, or NAME_0 … NAME_{d-1} for an embedding); nil
  /// loads every other column.
  public var features: [String]?
  /// Define features that do not exist, with the type their column's values have (int, double,
  /// bool, embedding from JSON arrays, else string).
  public var defineMissing: Bool
  /// Lineage run id of every version (default `import-<time>`).
  public var run: String?
  /// Lineage producer of every version.
  public var producer: String
  /// Rows held in memory at once (the import is still one transaction).
  public var batchRows: Int
  /// When set, bad rows are skipped and written to this CSV with their line number and reason;
  /// otherwise the first bad row fails the whole import and nothing is loaded.
  public var rejects: String?
  /// Called with (bytes read, file size) about every 10,000 rows.
  public var progress: (@Sendable (Int, Int) -> Void)?
  /// What an empty cell writes: nothing (``EmptyCells/skip``, the default) or a tombstone at the
  /// row's event time (``EmptyCells/null``, for data in feature-view form).
  public var emptyCells: EmptyCells = .skip
  /// Load only the rows whose entity belongs to this shard (``Shard/contains(_:)``); the others
  /// are counted in ``ImportSummary/otherShardRows`` and not checked beyond their field count.
  /// Nil (the default): every row.
  public var shard: Shard?

  /// Creates options; the defaults read entity ids from `entity_id`, stamp every value with the
  /// import time, load every other column (each must name a defined feature) and fail on the first
  /// bad row.
  public init(
    entityColumn: String = "entity_id", timestampColumn: String? = nil, features: [String]? = nil,
    defineMissing: Bool = false, run: String? = nil, producer: String = "fdb.import",
    batchRows: Int = 10_000,
    rejects: String? = nil, progress: (@Sendable (Int, Int) -> Void)? = nil,
    emptyCells: EmptyCells = .skip, shard: Shard? = nil
  ) {
    self.emptyCells = emptyCells
    self.shard = shard
    self.entityColumn = entityColumn
    self.timestampColumn = timestampColumn
    self.features = features
    self.defineMissing = defineMissing
    self.run = run
    self.producer = producer
    self.batchRows = batchRows
    self.rejects = rejects
    self.progress = progress
  }
}

/// What an import loaded.
public struct ImportSummary: Hashable, Sendable {
  /// Rows loaded.
  public var rows = 0
  /// Versions written: one per non-empty cell, plus one tombstone per empty cell with
  /// ``EmptyCells/null``.
  public var cells = 0
  /// Rows skipped into the rejects file.
  public var rejected = 0
  /// Rows skipped because their entity belongs to another shard than ``ImportOptions/shard``.
  public var otherShardRows = 0
  /// Features the import defined.
  public var defined: [FeatureDefinition] = []
  /// The run id recorded in every version's lineage.
  public var run = ""
}
