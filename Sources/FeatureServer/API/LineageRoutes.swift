import FDBCLI
import FeatureDB
import FeaturePipeline
import Hummingbird

/// Lineage, runs and operations over HTTP, as `fdb lineage`, `fdb graph`, `fdb runs`,
/// `fdb run show` and `fdb ops` answer them with `--json`.
struct LineageRoutes: Sendable {
  let services: Services

  func add(to router: Router<BasicRequestContext>) {
    let store = services.store
    services.route(router, .get, "/api/lineage", role: .read, dialect: .native) { request, _ in
      let q = Query(request)
      let (feature, entity) = (try q.required("feature"), try q.required("entity"))
      let version = try q.int("version", minimum: 1).map(UInt64.init)
      let depth = try q.int("depth", minimum: 1) ?? 10
      let root =
        try q.flag("downstream")
        ? try store.downstream(feature, entity, version: version, depth: depth)
        : try store.upstream(feature, entity, version: version, depth: depth)
      var text = ""
      LineageDisplay.writeJSON(root) { text += $0 }
      return .json(text: text)
    }
    services.route(router, .get, "/api/graph", role: .read, dialect: .native) { request, _ in
      let graph = try store.featureGraph(feature: Query(request).parameters["feature"])
      return .json(
        .object([
          (
            "edges",
            .array(
              graph.edges.map { e in
                .object([
                  ("parent", .string(e.parent)), ("child", .string(e.child)),
                  ("producer", Display.json(e.producer)), ("count", .int(e.count)),
                  ("lastWrite", Display.json(e.lastWrite)),
                ])
              })
          )
        ]))
    }
    services.route(router, .get, "/api/runs", role: .read, dialect: .native) { request, _ in
      let q = Query(request)
      let runs = try store.runs(
        limit: try q.int("limit", minimum: 1) ?? 50, offset: try q.int("offset") ?? 0)
      return .json(.array(runs.map(RunDisplay.json)))
    }
    services.route(router, .get, "/api/run", role: .read, dialect: .native) { request, _ in
      let id = try Query(request).required("id")
      guard let run = try store.run(id) else { throw FeatureDBError.unknownRun(id) }
      return .json(
        RunDisplay.showJSON(
          run, summary: try store.runSummary(id), rollbacks: try store.rollbacks(ofRun: id),
          quality: try RunQuality.load(run, from: store)))
    }
    services.route(router, .get, "/api/ops", role: .read, dialect: .native) { request, _ in
      let ops = try store.operations(limit: try Query(request).int("limit", minimum: 1) ?? 100)
      return .json(.array(ops.map(OperationDisplay.json)))
    }
  }
}
