import FeatureDB
import FeatureServer
import Foundation
import HummingbirdTesting
import Metrics
import Prometheus
import TestSupport
import Testing

/// What the server does around the routes: metrics and the request time limit.
@Suite struct ServiceTests {
  /// The process's metrics registry (swift-metrics is bootstrapped once per process).
  static let registry: PrometheusCollectorRegistry = {
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    return registry
  }()

  @Test func metricsCountRequestsPerRoute() async throws {
    let fixture = try Fixture()
    let server = FeatureServer(store: fixture.store, logger: testLogger, metrics: Self.registry)
    let text = try await server.application().test(.router) { client in
      _ = try await client.post(
        "/get-online-features", #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]}}"#)
      return try await client.send(.get, "/metrics").text
    }
    let line = text.split(separator: "\n").first {
      $0.hasPrefix("hb_requests{") && $0.contains(#"http_route="/get-online-features""#)
    }
    // Other tests of this process count too: at least this one request.
    #expect((line?.split(separator: " ").last.flatMap { Int($0) } ?? 0) >= 1, "\(text)")
  }

  /// A client that sends half a body and stalls gets 408 once the limit passes; the server
  /// keeps serving.
  @Test func aStalledRequestGets408() async throws {
    let fixture = try Fixture()
    let server = FeatureServer(
      store: fixture.store,
      configuration: ServerConfiguration(limits: Limits(requestTimeoutMilliseconds: 200)),
      logger: testLogger)
    let (stalled, after) = try await server.application().test(.live) { client in
      let port = try #require(client.port)
      // A client that announces 100 bytes, sends 12 and waits for an answer (20 s at most: on
      // a loaded machine the answer can take seconds to be scheduled, never the 20).
      let python = try Running.start(
        "/usr/bin/env",
        [
          "python3", "-c",
          """
          import socket
          s = socket.create_connection(("127.0.0.1", \(port)))
          s.sendall(b'POST /get-online-features HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 100\\r\\n\\r\\n{"features":')
          s.settimeout(20)
          print(s.recv(100).split(b"\\r\\n")[0].decode())
          """,
        ])
      let stalled = await finished(python)
      let after = try await client.post(
        "/get-online-features", #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]}}"#)
      return (stalled, after)
    }
    #expect(stalled.stdout == "HTTP/1.1 408 Request Timeout\n", "\(stalled)")
    #expect(after.status == .ok)
  }
}
