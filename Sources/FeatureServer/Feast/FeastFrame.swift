import FeatureDB
import Foundation

/// Rows for one Feast feature view (or push source) as columns — Feast's `df` — turned into
/// FeatureDB writes: column `c` is feature `view.c`; `event_timestamp` is each row's event
/// time (the commit time without it); `created` and `created_timestamp` are ignored (FeatureDB
/// records its own write time); the one other column is the join key, whose values are the
/// entity ids. A `null` cell writes a delete (a tombstone), which reads back as NULL_VALUE.
struct FeastFrame: Sendable {
  /// One write: a feature's value (nil: a delete) for an entity at an event time.
  struct Row: Sendable {
    var feature: String
    var entity: String
    var value: FeatureValue?
    var eventTime: Timestamp?
  }

  /// Every cell of the frame, row by row.
  let rows: [Row]
  /// The number of rows.
  let count: Int

  static let timeColumn = "event_timestamp"
  static let ignoredColumns: Set<String> = ["created", "created_timestamp"]

  /// Checks the frame against the catalog and the limits.
  ///
  /// - Throws: ``APIError``: 422 (malformed) for columns of different lengths, no join key or
  ///   more than one, a cell of the wrong type or a bad time, naming the column and row; 400
  ///   past `maxRows`; `unknownView` when no feature belongs to `view`.
  init(
    view: String, df: [String: [JSONCell]], catalog: [FeatureDefinition], maxRows: Int,
    unknownView: APIError
  ) throws {
    let types = Dictionary(
      uniqueKeysWithValues: catalog.filter { $0.name.hasPrefix(view + ".") }.map {
        ($0.name, $0.type)
      })
    guard !types.isEmpty else { throw unknownView }
    let count = df.first?.value.count ?? 0
    if let uneven = df.first(where: { $0.value.count != count }) {
      throw APIError.badBody(
        "df.\(uneven.key): \(uneven.value.count) values, while other columns have \(count)")
    }
    guard count <= maxRows else {
      throw APIError(.badRequest, "df: \(count) rows; the server's limit is \(maxRows)")
    }
    let others = df.keys.filter {
      $0 != Self.timeColumn && !Self.ignoredColumns.contains($0) && types["\(view).\($0)"] == nil
    }.sorted()
    guard others.count == 1, let joinKey = others.first, let keys = df[joinKey] else {
      throw APIError.badBody(
        others.isEmpty
          ? "df: no join key column (a column that is not a feature of '\(view)' nor \(Self.timeColumn))"
          : "df: one join key column expected; these are not features of '\(view)': \(others.joined(separator: ", "))"
      )
    }
    let entities = try keys.enumerated().map { row, cell throws(APIError) in
      try entityID(cell, field: "df.\(joinKey)[\(row)]")
    }
    let times = try df[Self.timeColumn].map { cells in
      try cells.enumerated().map { row, cell throws(APIError) in try Self.time(cell, row: row) }
    }
    let columns = df.sorted(by: { $0.key < $1.key }).compactMap { column, cells in
      types["\(view).\(column)"].map {
        (name: column, feature: "\(view).\(column)", type: $0, cells: cells)
      }
    }
    // Row by row: the writes of one entity follow each other, as its chains do in the store.
    var rows: [Row] = []
    rows.reserveCapacity(count * columns.count)
    for row in 0..<count {
      for column in columns {
        rows.append(
          Row(
            feature: column.feature, entity: entities[row],
            value: try Self.value(column.cells[row], column.type, column: column.name, row: row),
            eventTime: times?[row]))
      }
    }
    self.rows = rows
    self.count = count
  }

  /// A cell as a value of `type`; nil for `null` (a delete).
  static func value(_ cell: JSONCell, _ type: ValueType, column: String, row: Int)
    throws(APIError) -> FeatureValue?
  {
    switch (type, cell) {
    case (_, .null): return nil
    case (.int, .int(let v)): return .int(v)
    case (.int, .double(let v)) where v.rounded() == v && abs(v) < 9.0e15: return .int(Int64(v))
    case (.double, .double(let v)): return .double(v)
    case (.double, .int(let v)): return .double(Double(v))
    case (.bool, .bool(let v)): return .bool(v)
    case (.string, .string(let v)): return .string(v)
    case (.bytes, .string(let v)):
      guard let data = Data(base64Encoded: v) else {
        throw APIError.badBody("df.\(column)[\(row)]: bytes are given in base64")
      }
      return .bytes(Array(data))
    case (.embedding(let dims), .numbers(let v)):
      guard v.count == dims else {
        throw APIError.badBody(
          "df.\(column)[\(row)]: \(v.count) numbers; the feature has \(dims) dims")
      }
      return .embedding(v.map { Float($0) })
    default:
      throw APIError.badBody(
        "df.\(column)[\(row)]: the feature's type is \(type), got \(cell.kind)")
    }
  }

  /// An `event_timestamp` cell: an ISO-8601 string (`2026-01-05T10:30:00Z`, `±HH:MM` offsets,
  /// a space for `T`, or no zone for UTC, as pandas writes them).
  static func time(_ cell: JSONCell, row: Int) throws(APIError) -> Timestamp {
    guard case .string(let text) = cell, let t = Timestamp(iso8601: text), t.isValid else {
      throw APIError.badBody(
        "df.\(timeColumn)[\(row)]: expected an ISO-8601 time like 2026-01-05T10:30:00Z, got \(cell.kind)"
      )
    }
    return t
  }
}
