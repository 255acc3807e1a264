import FDBCLI
import FeatureDB
import FeaturePipeline
import Hummingbird
import HummingbirdCore

/// The web UI at `/ui`: server-rendered HTML, no JavaScript. Features and groups with their
/// retention, an entity's values and history, lineage as SVG, runs with quality and drift,
/// operations with an undo button (role admin). Behind tokens, `/ui/login` keeps the token in
/// a cookie (HttpOnly, SameSite=Strict).
struct UIRoutes: Sendable {
  let services: Services

  func add(to router: Router<BasicRequestContext>) {
    let store = services.store
    page(router, "/ui") { _, _ in
      let features = try store.features().map { f in
        [
          HTML.escape(f.name), HTML.escape(f.type.description),
          f.maxVersions == 0 ? "unlimited" : String(f.maxVersions),
          HTML.escape(f.ttl?.description ?? "-"), HTML.escape(f.description),
        ]
      }
      let groups = try store.groups().map { g in
        [HTML.escape(g.name), HTML.escape(g.features.joined(separator: ", "))]
      }
      return HTML.page(
        "Features",
        """
        <form action="/ui/entity"><label>Entity <input name="entity"></label> <button>Show</button></form>
        <h2>Features</h2>\(HTML.table(["feature", "type", "max versions", "ttl", "description"], features))
        <h2>Groups</h2>\(HTML.table(["group", "features"], groups))
        """)
    }
    page(router, "/ui/entity") { q, _ in
      let entity = try q.required("entity")
      let versions = try store.read { snapshot in
        try snapshot.latestAll(entity: entity).keys.sorted().compactMap {
          try snapshot.latestVersion($0, entity)
        }
      }
      let rows = versions.map { v in
        [
          HTML.escape(v.feature), String(v.version), v.eventTime.iso8601,
          HTML.escape(Display.text(v.value, limit: 60)),
          HTML.link("history", "/ui/history", [("feature", v.feature), ("entity", entity)]) + " "
            + HTML.link("lineage", "/ui/lineage", [("feature", v.feature), ("entity", entity)]),
        ]
      }
      return HTML.page(
        "Entity \(entity)", HTML.table(["feature", "version", "event time", "value", ""], rows))
    }
    page(router, "/ui/history") { q, _ in
      let (feature, entity) = (try q.required("feature"), try q.required("entity"))
      let rows = try store.history(feature, entity, includeRetracted: true).map { v in
        [
          String(v.version), v.eventTime.iso8601, v.writeTime.iso8601,
          v.status == .retracted
            ? "<span class=\"retracted\">retracted by op \(v.retractedBy.map(String.init) ?? "?")</span>"
            : "active",
          HTML.escape(Display.text(v.value, limit: 60)), HTML.escape(v.lineage.producer ?? "-"),
          v.lineage.run.map { HTML.link($0, "/ui/run", [("id", $0)]) } ?? "-",
          HTML.link(
            "lineage", "/ui/lineage",
            [("feature", feature), ("entity", entity), ("version", String(v.version))]),
        ]
      }
      return HTML.page(
        "History of \(feature) for \(entity)",
        HTML.table(
          ["version", "event time", "write time", "status", "value", "producer", "run", ""], rows))
    }
    page(router, "/ui/lineage") { q, _ in
      let (feature, entity) = (try q.required("feature"), try q.required("entity"))
      let version = try q.int("version", minimum: 1).map(UInt64.init)
      let downstream = try q.flag("downstream")
      let root =
        downstream
        ? try store.downstream(feature, entity, version: version, depth: 6)
        : try store.upstream(feature, entity, version: version, depth: 6)
      let other = HTML.link(
        downstream ? "upstream" : "downstream", "/ui/lineage",
        [("feature", feature), ("entity", entity)]
          + (version.map { [("version", String($0))] } ?? [])
          + (downstream ? [] : [("downstream", "true")]))
      return HTML.page(
        "Lineage of \(feature) for \(entity)", "<p>Show \(other)</p>" + LineageSVG.render(root))
    }
    page(router, "/ui/runs") { _, _ in
      let rows = try store.runs(limit: 100).map { r in
        [
          HTML.link(r.id, "/ui/run", [("id", r.id)]), HTML.escape(r.status.rawValue),
          r.startedAt.iso8601, r.finishedAt?.iso8601 ?? "-",
        ]
      }
      return HTML.page("Runs", HTML.table(["run", "status", "started", "finished"], rows))
    }
    page(router, "/ui/run") { q, _ in
      let id = try q.required("id")
      guard let run = try store.run(id) else { throw FeatureDBError.unknownRun(id) }
      let wrote = try store.runSummary(id).map { s in
        [HTML.escape(s.feature), String(s.versions), String(s.entities), s.lastWrite.iso8601]
      }
      let quality = try RunQuality.load(run, from: store)?.features.map { f in
        [
          HTML.escape(f.feature), String(f.values), String(f.completeness),
          f.mean.map { String($0) } ?? "-", f.drift.map { String($0) } ?? "-",
        ]
      }
      return HTML.page(
        "Run \(id)",
        """
        <p>status \(HTML.escape(run.status.rawValue)), started \(run.startedAt.iso8601)</p>
        <h2>Wrote</h2>\(HTML.table(["feature", "versions", "entities", "last write"], wrote))
        <h2>Quality and drift</h2>\(quality.map { HTML.table(["feature", "values", "completeness", "mean", "drift (PSI)"], $0) } ?? "<p class=\"muted\">not recorded for this run</p>")
        """)
    }
    page(router, "/ui/ops") { _, request in
      let admin = services.access.allows(request, .admin)
      let rows = try store.operations(limit: 100).map { op in
        [
          String(op.id), HTML.escape(op.kind.rawValue), op.time.iso8601, HTML.escape(op.actor),
          String(op.versions), HTML.escape(op.form), HTML.escape(op.reason),
          op.kind == .rollback && op.undoneBy == nil && admin
            ? "<form method=\"post\" action=\"/ui/undo\"><input type=\"hidden\" name=\"operation\" value=\"\(op.id)\"><button>Undo</button></form>"
            : op.undoneBy.map { "undone by \($0)" } ?? "",
        ]
      }
      return HTML.page(
        "Operations",
        HTML.table(["op", "kind", "time", "actor", "versions", "what", "reason", ""], rows))
    }
    services.route(router, .post, "/ui/undo", role: .admin, dialect: .html) { request, _ in
      let form = try await form(request)
      guard let id = form["operation"].flatMap(UInt64.init) else {
        throw APIError(.badRequest, "operation: expected an operation id")
      }
      _ = try store.undo(id, actor: "web ui")
      return Response(status: .seeOther, headers: [.location: "/ui/ops"])
    }
    services.route(router, .get, "/ui/login", role: nil, dialect: .html) { _, _ in
      HTML.page(
        "Log in",
        "<form method=\"post\" action=\"/ui/login\"><label>Token <input name=\"token\" type=\"password\"></label> <button>Log in</button></form>"
      )
    }
    services.route(router, .post, "/ui/login", role: nil, dialect: .html) { request, _ in
      let token = try await form(request)["token"] ?? ""
      return Response(
        status: .seeOther,
        headers: [
          .location: "/ui",
          .setCookie: Cookie(
            name: Access.cookie, value: token, path: "/", secure: false, httpOnly: true,
            sameSite: .strict
          ).description,
        ])
    }
  }

  /// A GET page of the UI (role read), given its query and request; errors are shown as a page.
  private func page(
    _ router: Router<BasicRequestContext>, _ path: RouterPath,
    _ body: @escaping @Sendable (Query, Request) async throws -> Response
  ) {
    services.route(router, .get, path, role: .read, dialect: .html) { request, _ in
      try await body(Query(request), request)
    }
  }

  /// A form body (`application/x-www-form-urlencoded`), within the body limits.
  private func form(_ request: Request) async throws -> [String: String] {
    let text = try await JSONBody.text(request, limits: services.limits)
    var fields: [String: String] = [:]
    for (key, value) in HummingbirdCore.URI("/?" + text).queryParameters {
      fields[String(key)] = String(value)
    }
    return fields
  }
}
