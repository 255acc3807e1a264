import FeatureDB
import FeatureServer
import Foundation
import Testing

/// FeatureDB's own routes beyond docs/server.md's examples: the OpenAPI document against the
/// routes served, roles of rollback and undo, the conflicts.
@Suite struct APITests {
  let fixture: Fixture
  init() throws { fixture = try Fixture() }

  /// Every path of the OpenAPI document is served (not 404 for want of a route) and appears in
  /// docs/server.md; every route the server answers is in the document.
  @Test func theOpenAPIDocumentDescribesTheRoutesServed() async throws {
    let document = try await fixture.withClient { try await $0.send(.get, "/openapi.json") }
    #expect(document.status == .ok)
    #expect(document.object["openapi"] as? String == "3.1.0")
    let paths = try #require(document.object["paths"] as? [String: [String: Any]])
    let doc = try String(contentsOf: DocsTests.doc, encoding: .utf8)
    for (path, methods) in paths {
      #expect(doc.contains(path), "\(path) is not in docs/server.md")
      for method in methods.keys {
        let reply = try await fixture.withClient {
          try await $0.send(method == "get" ? .get : .post, path, body: method == "get" ? nil : [])
        }
        #expect(reply.status != .notFound || !reply.text.isEmpty, "\(method) \(path): no route")
      }
    }
    let served: Set<String> = [
      "/get-online-features", "/push", "/write-to-online-store", "/health", "/metrics",
      "/openapi.json", "/api/features", "/api/groups", "/api/value", "/api/entity", "/api/group",
      "/api/history", "/api/lineage", "/api/graph", "/api/runs", "/api/run", "/api/ops",
      "/api/rollback", "/api/undo",
    ]
    #expect(Set(paths.keys) == served)
    let unknown = try await fixture.withClient { try await $0.send(.get, "/api/nope") }
    #expect(unknown.status == .notFound && unknown.text.isEmpty)
  }

  @Test func rollbackNeedsAdminButADryRunOnlyRead() async throws {
    let tokens = try TokenTable(
      parsing: "read reader-token-0123456789\nadmin admin-token-01234567890")
    let body = #"{"run": "scoring-1"}"#
    let (dry, refused, done) = try await fixture.withClient(ServerConfiguration(tokens: tokens)) {
      client in
      (
        try await client.post(
          "/api/rollback", #"{"run": "scoring-1", "dry_run": true}"#,
          token: "reader-token-0123456789"),
        try await client.post("/api/rollback", body, token: "reader-token-0123456789"),
        try await client.post("/api/rollback", body, token: "admin-token-01234567890")
      )
    }
    #expect(dry.status == .ok)
    #expect(refused.status == .forbidden)
    #expect(
      refused.object["error"] as? String
        == "this needs a token with role admin; the token's role is read")
    #expect(done.status == .ok)
    #expect(try fixture.store.operations().count == 1)
  }

  @Test func rollbackFormsAreCheckedAsTheCLIChecksThem() async throws {
    let replies = try await fixture.withClient { client in
      [
        try await client.post("/api/rollback", #"{"run": "r", "feature": "driver.trips"}"#),
        try await client.post(
          "/api/rollback", #"{"feature": "driver.trips", "since": "-1d", "entity": "1001"}"#),
        try await client.post("/api/rollback", #"{"feature": "driver.trips"}"#),
        try await client.post("/api/rollback", #"{"run": "nope"}"#),
      ]
    }
    #expect(replies.map(\.status) == [.badRequest, .badRequest, .badRequest, .notFound])
    #expect(
      replies[2].object["error"] as? String == "give one of to_version, to_time, since or run")
    #expect(try fixture.store.operations().isEmpty)
  }

  @Test func aReadOnlyServerRefusesRollbackAndUndoWith409() async throws {
    let replies = try await fixture.withClient(ServerConfiguration(readOnly: true)) { client in
      [
        try await client.post("/api/rollback", #"{"run": "scoring-1"}"#),
        try await client.post("/api/undo", #"{"operation": 1}"#),
        try await client.post("/api/rollback", #"{"run": "scoring-1", "dry_run": true}"#),
      ]
    }
    #expect(replies.map(\.status) == [.conflict, .conflict, .ok])
  }

  @Test func entityAndGroupReadsTakeAsOf() async throws {
    let (entity, group) = try await fixture.withClient { client in
      (
        try await client.send(.get, "/api/entity?entity=1001&as_of=2026-01-05T12:00:00Z"),
        try await client.send(
          .get, "/api/group?group=driver_service&entity=1001&as_of=2026-01-05T12:00:00Z")
      )
    }
    let features = (entity.json as? [[String: Any]])?.compactMap { $0["feature"] as? String }
    #expect(features == ["driver.conv_rate", "driver.score"])
    let groupFeatures = (group.json as? [[String: Any]])?.compactMap { $0["feature"] as? String }
    #expect(groupFeatures == ["driver.conv_rate"])
  }
}
