import FDBCLI
import FeatureDB
import Hummingbird

/// The catalog over HTTP: features with their retention (as `fdb features --json`) and groups.
struct CatalogRoutes: Sendable {
  let services: Services

  func add(to router: Router<BasicRequestContext>) {
    let store = services.store
    services.route(router, .get, "/api/features", role: .read, dialect: .native) { _, _ in
      .json(.array(try store.features().map { .object(Display.json($0)) }))
    }
    services.route(router, .get, "/api/groups", role: .read, dialect: .native) { _, _ in
      .json(.array(try store.groups().map(Self.json)))
    }
  }

  /// A group: name, features, description, owner, creation time.
  static func json(_ g: FeatureGroup) -> JSON {
    .object([
      ("name", .string(g.name)), ("features", .array(g.features.map(JSON.string))),
      ("description", .string(g.description)), ("owner", .string(g.owner)),
      ("createdAt", Display.json(g.createdAt)),
    ])
  }
}
