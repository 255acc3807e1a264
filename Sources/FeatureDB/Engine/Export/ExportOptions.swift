/// How embeddings appear in CSV: one cell holding a JSON array, or one column per component.
public enum EmbeddingCSVFormat: String, Sendable, CaseIterable {
  /// One cell `[0.1,0.2,…]`.
  case json
  /// Columns `NAME_0` … `NAME_{d-1}`.
  case columns
}

/// Settings shared by both export forms.
public struct ExportOptions: Sendable {
  /// Features to export, in column order.
  public var features: [String]
  /// Snapshot exports: the event time T every cell is read as of (default: now).
  public var eventTime: Timestamp?
  /// Read what the store knew at write time W (default: when the export starts). The same W
  /// later gives a byte-identical file, whatever was written since.
  public var writeTime: Timestamp?
  /// How embedding features are written (default ``EmbeddingCSVFormat/json``).
  public var embeddingFormat: EmbeddingCSVFormat
  /// Write cells whose history was pruned or vacuumed as empty (and count them) instead of failing.
  public var allowMissingHistory: Bool
  /// Called with (bytes or rows done, total) as the export proceeds, about every 64 KB of input or
  /// 10,000 rows.
  public var progress: (@Sendable (Int, Int) -> Void)?

  /// Creates options for the given features; the rest default as documented on each property.
  public init(
    features: [String], eventTime: Timestamp? = nil, writeTime: Timestamp? = nil,
    embeddingFormat: EmbeddingCSVFormat = .json, allowMissingHistory: Bool = false,
    progress: (@Sendable (Int, Int) -> Void)? = nil
  ) {
    self.features = features
    self.eventTime = eventTime
    self.writeTime = writeTime
    self.embeddingFormat = embeddingFormat
    self.allowMissingHistory = allowMissingHistory
    self.progress = progress
  }
}

/// What an export wrote.
public struct ExportSummary: Hashable, Sendable, Codable {
  /// Data rows written (the header not counted).
  public var rows: Int
  /// Feature cells written (empty ones included).
  public var cells: Int
  /// Cells written empty because pruning or vacuum removed the history they needed.
  public var missingHistoryCells: Int
  /// The write time W the export read as of.
  public var writeTime: Timestamp
  /// The event time T (snapshot exports); nil for point-in-time exports (each row has its own).
  public var eventTime: Timestamp?
  /// The first few of the cells counted in ``missingHistoryCells``, in output order.
  public var firstMissingHistory: [MissingHistoryCell] = []
}

/// A cell of an export, or of a point-in-time read, whose answer needs history that max-version
/// pruning or vacuum removed.
public struct MissingHistoryCell: Hashable, Sendable, Codable, CustomStringConvertible {
  /// What removed the history.
  public enum RemovedBy: String, Hashable, Sendable, Codable {
    /// Max-version pruning (`maxVersions`).
    case pruning
    /// Vacuum of expired versions (`ttl`).
    case vacuum
  }

  /// The feature of the cell.
  public var feature: String
  /// The entity of the cell's row.
  public var entity: String
  /// The event time the cell is read as of: the row's time, or a snapshot export's T.
  public var eventTime: Timestamp
  /// What removed the history the cell needs.
  public var removedBy: RemovedBy

  /// Creates a description of one cell.
  public init(feature: String, entity: String, eventTime: Timestamp, removedBy: RemovedBy) {
    self.feature = feature
    self.entity = entity
    self.eventTime = eventTime
    self.removedBy = removedBy
  }

  /// `feature 'F' entity 'E' at TIME (pruning)`.
  public var description: String {
    "feature '\(feature)' entity '\(entity)' at \(eventTime.iso8601) (\(removedBy.rawValue))"
  }

  /// How many an export keeps to name in its error and summary.
  static let kept = 5
}
