import FeatureDB
import Hummingbird

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
  /// FeatureDB feature group; references are resolved through `references`).
  init(
    _ request: OnlineFeaturesRequest, store: FeatureStore, references: ReferenceCache,
    maxRows: Int
  ) throws {
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
      features = references.features(group: group.features)
    } else {
      features = try references.features(request.features ?? [])
    }
    guard !features.isEmpty else {
      throw APIError.badBody("features: give feature references 'view:name' or a feature_service")
    }
    fullNames = request.fullFeatureNames ?? false
  }

  /// What a read found, per entity row and feature.
  struct Found {
    /// Per entity row, per feature: the latest version's value (nil: a delete) and event time;
    /// nil when no version is visible.
    var rows: [[(value: FeatureValue?, eventTime: Timestamp)?]]
    /// The cells (at `row * features + column`) with no visible version whose retained
    /// versions all expired: the newest one's event time.
    var expired: [Int: Timestamp] = [:]
  }

  /// Reads every (feature, entity) in one snapshot, each entity's chains in one walk.
  func read(_ store: FeatureStore) throws -> Found {
    try store.read { snapshot in
      var found = Found(
        rows: try mapErrors {
          try snapshot.latestValuesAndTimes(features: features.map(\.feature), entities: entities)
        })
      for (row, cells) in found.rows.enumerated() {
        for (column, cell) in cells.enumerated() where cell == nil {
          // FeatureDB does not serve expired values: tell them from absent ones.
          let newest = try mapErrors {
            try snapshot.history(features[column].feature, entities[row], limit: 1)
          }
          if let newest = newest.first {
            found.expired[row * features.count + column] = newest.eventTime
          }
        }
      }
      return found
    }
  }

  /// Feast's response, written as JSON bytes: the join key's column first (PRESENT, epoch
  /// times), then one column per feature with PRESENT, NOT_FOUND, NULL_VALUE (the latest
  /// version is a delete) or OUTSIDE_MAX_AGE (every retained version expired; FeatureDB does
  /// not serve expired values, so the value is null).
  func response(_ found: Found) -> ByteBuffer {
    var out = JSONWriter(capacity: 256 + 64 * (features.count + 1) * max(entities.count, 1))
    out.raw(#"{"metadata":{"feature_names":["#)
    out.string(joinKey)
    for feature in features {
      out.raw(",")
      out.raw(feature.jsonColumnName(fullNames: fullNames))
    }
    out.raw(#"]},"results":[{"values":["#)
    for (row, key) in keys.enumerated() {
      if row > 0 { out.raw(",") }
      // Entity keys are strings or integers (`entityID` refused the rest); a string's id is it.
      if case .int(let i) = key { out.int(i) } else { out.string(entities[row]) }
    }
    out.raw(#"],"statuses":["#)
    list(&out) { _, out in out.raw(#""PRESENT""#) }
    out.raw(#"],"event_timestamps":["#)
    list(&out) { _, out in FeastValue.writeEpoch(to: &out) }
    for column in features.indices {
      out.raw(#"]},{"values":["#)
      list(&out) { row, out in FeastValue.write(found.rows[row][column]?.value ?? nil, to: &out) }
      out.raw(#"],"statuses":["#)
      list(&out) { row, out in
        switch found.rows[row][column] {
        case .some((.none, _)): out.raw(#""NULL_VALUE""#)
        case .some: out.raw(#""PRESENT""#)
        case nil where found.expired[row * features.count + column] != nil:
          out.raw(#""OUTSIDE_MAX_AGE""#)
        case nil: out.raw(#""NOT_FOUND""#)
        }
      }
      out.raw(#"],"event_timestamps":["#)
      list(&out) { row, out in
        if let time = found.rows[row][column]?.eventTime
          ?? found.expired[row * features.count + column]
        {
          FeastValue.write(time, to: &out)
        } else {
          FeastValue.writeEpoch(to: &out)
        }
      }
    }
    out.raw("]}]}")
    return out.buffer
  }

  /// Writes one element per entity row, comma-separated.
  private func list(_ out: inout JSONWriter, _ element: (Int, inout JSONWriter) -> Void) {
    for row in entities.indices {
      if row > 0 { out.raw(",") }
      element(row, &out)
    }
  }

  /// Engine errors as Feast's server words them.
  private func mapErrors<R>(_ body: () throws -> R) throws -> R {
    do {
      return try body()
    } catch FeatureDBError.unknownFeature(let name) {
      let feature = features.first { $0.feature == name } ?? FeastFeature(feature: name)
      throw APIError(
        .notFound,
        "Feature \(feature.view):\(feature.name) does not exist (no FeatureDB feature '\(name)')",
        feastClass: "FeastObjectNotFoundException")
    } catch FeatureDBError.invalidEntity(let id, let reason) {
      throw APIError.badBody("entities: invalid entity id '\(id)': \(reason)")
    }
  }
}
