import FDBCLI
import FeatureDB

/// Feast's `get-online-features` on a store: the latest value of each feature for each entity
/// row, in one read snapshot, answered column-major as Feast's feature server does.
struct OnlineRead: Sendable {
  /// The join key (the one entity column).
  let joinKey: String
  /// The join key's values as given, echoed in its column.
  let keys: [JSONCell]
  /// The entity ids, one per row.
  let entities: [String]
  /// The features, in the order asked.
  let features: [FeastFeature]
  /// `view__name` column names.
  let fullNames: Bool

  /// Checks a request against the limits and resolves its features (a feature service is a
  /// FeatureDB feature group).
  init(_ request: OnlineFeaturesRequest, store: FeatureStore, maxRows: Int) throws {
    guard request.entities.count == 1, let (column, keys) = request.entities.first else {
      throw APIError.badBody(
        "entities: give exactly one join key column (FeatureDB entities have one id), got \(request.entities.count)"
      )
    }
    guard keys.count <= maxRows else {
      throw APIError(
        .badRequest, "entities.\(column): \(keys.count) rows; the server's limit is \(maxRows)")
    }
    joinKey = column
    self.keys = keys
    entities = try keys.enumerated().map { row, cell throws(APIError) in
      try entityID(cell, field: "entities.\(column)[\(row)]")
    }
    if let service = request.featureService {
      guard let group = try store.group(service) else {
        throw APIError(
          .notFound,
          "Feature service \(service) does not exist (no FeatureDB feature group of that name)",
          feastClass: "FeatureServiceNotFoundException")
      }
      features = group.features.map(FeastFeature.init(feature:))
    } else {
      features = try (request.features ?? []).map { ref throws(APIError) in
        try FeastFeature(reference: ref)
      }
    }
    guard !features.isEmpty else {
      throw APIError.badBody("features: give feature references 'view:name' or a feature_service")
    }
    fullNames = request.fullFeatureNames ?? false
  }

  /// One column of the response: per entity row a value, a status and an event time.
  struct Column {
    var values: [JSON] = []
    var statuses: [String] = []
    var times: [String] = []

    var json: JSON {
      .object([
        ("values", .array(values)), ("statuses", .array(statuses.map(JSON.string))),
        ("event_timestamps", .array(times.map(JSON.string))),
      ])
    }
  }

  /// Reads every (feature, entity) in one snapshot and builds Feast's response: the join key's
  /// column first (PRESENT, epoch times), then one column per feature with PRESENT,
  /// NOT_FOUND, NULL_VALUE (the latest version is a delete) or OUTSIDE_MAX_AGE (every retained
  /// version expired; FeatureDB does not serve expired values, so the value is null).
  func response(_ store: FeatureStore) throws -> JSON {
    let columns = try store.read { snapshot in
      // The versions of one row (or one batch) share their event time: format each time once.
      var times: [Timestamp: String] = [:]
      return try features.map { feature in
        var column = Column()
        column.values.reserveCapacity(entities.count)
        for entity in entities {
          let (value, status, time) = try Self.cell(snapshot, feature, entity)
          column.values.append(value)
          column.statuses.append(status)
          if let time {
            if let text = times[time] {
              column.times.append(text)
            } else {
              let text = FeastValue.time(time)
              times[time] = text
              column.times.append(text)
            }
          } else {
            column.times.append(FeastValue.epoch)
          }
        }
        return column
      }
    }
    let keyColumn = Column(
      values: keys.map(\.json), statuses: keys.map { _ in "PRESENT" },
      times: keys.map { _ in FeastValue.epoch })
    let names = [joinKey] + features.map { $0.columnName(fullNames: fullNames) }
    return .object([
      ("metadata", .object([("feature_names", .array(names.map(JSON.string)))])),
      ("results", .array(([keyColumn] + columns).map(\.json))),
    ])
  }

  private static func cell(
    _ snapshot: borrowing Snapshot, _ feature: FeastFeature, _ entity: String
  ) throws -> (JSON, String, Timestamp?) {
    do {
      if let v = try snapshot.latestValueAndTime(feature.feature, entity) {
        return (FeastValue.json(v.value), v.value == nil ? "NULL_VALUE" : "PRESENT", v.eventTime)
      }
      if let expired = try snapshot.history(feature.feature, entity, limit: 1).first {
        return (.null, "OUTSIDE_MAX_AGE", expired.eventTime)
      }
      return (.null, "NOT_FOUND", nil)
    } catch FeatureDBError.unknownFeature(let name) {
      throw APIError(
        .notFound,
        "Feature \(feature.view):\(feature.name) does not exist (no FeatureDB feature '\(name)')",
        feastClass: "FeastObjectNotFoundException")
    } catch FeatureDBError.invalidEntity(let id, let reason) {
      throw APIError.badBody("entities: invalid entity id '\(id)': \(reason)")
    }
  }
}
