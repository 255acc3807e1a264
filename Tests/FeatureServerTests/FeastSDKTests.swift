import FeatureDB
import FeatureServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// Feast's own Python SDK (remote online store) against the server.
///
/// The live test runs the SDK (`scripts/feast/sdk_exchange.py`) and is opt-in: set
/// `FDB_FEAST_PYTHON` to a Python that has Feast (`scripts/feast-venv` prints one). With
/// `FDB_FEAST_RECORD=PATH` it also writes the SDK's HTTP exchanges there; the committed copy in
/// `Recordings/` is replayed on every run, so CI checks the wire format without installing Feast.
@Suite struct FeastSDKTests {
  static let recording = "feast-sdk-0.67.0"

  /// One recorded HTTP exchange.
  struct Exchange: Decodable {
    var method: String
    var path: String
    var body: String?
    var status: Int
    var response: String
  }

  /// Replayed through the router; then the reads again over a socket, where they are answered
  /// on the event loop (`DirectReadHandler`), with the same bytes.
  @Test func theSDKsRecordedExchangesReplayExactly() async throws {
    let url = try #require(
      Bundle.module.url(
        forResource: Self.recording, withExtension: "jsonl", subdirectory: "Recordings"))
    let exchanges = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
      try JSONDecoder().decode(Exchange.self, from: Data($0.utf8))
    }
    #expect(
      exchanges.map(\.path) == [
        "/write-to-online-store", "/get-online-features", "/get-online-features",
      ])
    let fixture = try Fixture()
    for (live, replayed) in [
      (false, exchanges),
      (true, exchanges.filter { $0.method == "POST" && $0.path == "/get-online-features" }),
    ] {
      try await fixture.withClient(live: live) { client in
        for exchange in replayed {
          let reply = try await client.send(
            HTTPRequest.Method(exchange.method)!, exchange.path,
            body: exchange.body.map { Array($0.utf8) })
          #expect(Int(reply.status.code) == exchange.status, "\(exchange.path): \(reply.text)")
          #expect(reply.text == exchange.response, "\(exchange.path), live: \(live)")
        }
      }
    }
    // The push the SDK made is what the store (and `fdb get`) holds.
    #expect(try await fixture.store.latest("driver.name", "2001") == .string("Cy"))
    #expect(try await fixture.store.latest("driver.vec", "2001") == .embedding([1, 2, 3]))
  }

  @Test(.enabled(if: ProcessInfo.processInfo.environment["FDB_FEAST_PYTHON"] != nil))
  func feastsSDKReadsAndPushesWhatFdbGetShows() async throws {
    let environment = ProcessInfo.processInfo.environment
    let python = try #require(environment["FDB_FEAST_PYTHON"])
    let fixture = try Fixture()
    let work = TemporaryDirectory()
    let server = FeatureServer(store: fixture.store, logger: testLogger)
    let outcome = try await server.application().test(.live) { client in
      let port = try #require(client.port)
      return await finished(
        try Running.start(
          python,
          [
            Self.script, "http://127.0.0.1:\(port)", work.child("repo"),
            environment["FDB_FEAST_RECORD"] ?? work.child("exchanges.jsonl"),
          ]))
    }
    #expect(outcome.status == 0, "\(outcome)")
    let sdk = try #require(outcome.json["features"] as? [String: [Any]])
    let ids = try #require(sdk["driver_id"] as? [Int])
    #expect(ids == [1001, 1002, 1003, 2001])
    for (row, id) in ids.enumerated() {
      let shown = try Self.fdbGetAll(fixture.store.path, entity: String(id))
      for name in ["conv_rate", "trips", "active", "name", "vec"] {
        let fromSDK = sdk[name]?[row]
        let fromFDB = shown["driver.\(name)"]
        #expect(
          Self.same(fromSDK, fromFDB),
          "driver.\(name) of \(id): SDK \(String(describing: fromSDK)), fdb \(String(describing: fromFDB))"
        )
      }
    }
  }

  static var script: String {
    repositoryRoot.appendingPathComponent("scripts/feast/sdk_exchange.py").path
  }

  /// `fdb get ENTITY --all --json`: each feature's value.
  static func fdbGetAll(_ path: String, entity: String) throws -> [String: Any] {
    let outcome = try Running.start(
      productPath("fdb"), ["get", entity, "--all", "--json", "--db", path]
    ).finish()
    var values: [String: Any] = [:]
    for line in outcome.jsonLines { values[line["feature"] as? String ?? ""] = line["value"] }
    return values
  }

  /// The same JSON value (a missing value on one side is null on the other).
  static func same(_ a: Any?, _ b: Any?) -> Bool {
    let (a, b) = (a is NSNull ? nil : a, b is NSNull ? nil : b)
    guard let a, let b else { return a == nil && b == nil }
    return (try? JSONSerialization.data(withJSONObject: [a], options: .sortedKeys))
      == (try? JSONSerialization.data(withJSONObject: [b], options: .sortedKeys))
  }
}
