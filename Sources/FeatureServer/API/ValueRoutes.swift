import FDBCLI
import FeatureDB
import Hummingbird

/// FeatureDB's reads over HTTP, as `fdb get` and `fdb history` answer them with `--json`:
/// latest, as of an event time (`as_of`), as of a write time (`as_of_write`), for a value, an
/// entity or a group, and a value's history.
struct ValueRoutes: Sendable {
  let services: Services

  func add(to router: Router<BasicRequestContext>) {
    let store = services.store
    services.route(router, .get, "/api/value", role: .read, dialect: .native) { request, _ in
      let q = Query(request)
      let (feature, entity) = (try q.required("feature"), try q.required("entity"))
      let definition = try Self.definition(store, feature)
      let version = try Self.read(store, feature, entity, q)
      guard let version, version.value != nil else {
        throw APIError(
          .notFound,
          "feature '\(feature)' entity '\(entity)' has no value\(version.map { ": deleted by version \($0.version)" } ?? "")"
        )
      }
      return .json(Display.json(version, ttl: definition.ttl, now: q.now))
    }
    services.route(router, .get, "/api/entity", role: .read, dialect: .native) { request, _ in
      let q = Query(request)
      let entity = try q.required("entity")
      return try Self.values(store, try store.features().map(\.name).sorted(), entity, q)
    }
    services.route(router, .get, "/api/group", role: .read, dialect: .native) { request, _ in
      let q = Query(request)
      let (group, entity) = (try q.required("group"), try q.required("entity"))
      let names = try store.read { try $0.features(ofGroup: group) }
      return try Self.values(store, names, entity, q)
    }
    services.route(router, .get, "/api/history", role: .read, dialect: .native) { request, _ in
      let q = Query(request)
      let (feature, entity) = (try q.required("feature"), try q.required("entity"))
      let definition = try Self.definition(store, feature)
      let versions = try store.history(
        feature, entity, limit: try q.int("limit"),
        includeRetracted: try q.flag("include_retracted"))
      return .json(.array(versions.map { Display.json($0, ttl: definition.ttl, now: q.now) }))
    }
  }

  static func definition(_ store: FeatureStore, _ feature: String) throws -> FeatureDefinition {
    guard let d = try store.feature(feature) else { throw FeatureDBError.unknownFeature(feature) }
    return d
  }

  /// The version a read selects: latest, or as of `as_of` and/or `as_of_write`.
  static func read(_ store: FeatureStore, _ feature: String, _ entity: String, _ q: Query) throws
    -> Version?
  {
    let (eventTime, writeTime) = (try q.time("as_of"), try q.time("as_of_write"))
    return eventTime == nil && writeTime == nil
      ? try store.latestVersion(feature, entity)
      : try store.asOfVersion(feature, entity, eventTime: eventTime, writeTime: writeTime)
  }

  /// The versions of `names` for `entity` that have a value, as an array.
  private static func values(
    _ store: FeatureStore, _ names: [String], _ entity: String, _ q: Query
  ) throws -> Response {
    let definitions = Dictionary(
      try store.features().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let versions = try names.compactMap { try read(store, $0, entity, q) }.filter {
      $0.value != nil
    }
    return .json(
      .array(versions.map { Display.json($0, ttl: definitions[$0.feature]?.ttl, now: q.now) }))
  }
}
