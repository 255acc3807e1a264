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
      // curl streams a chunked body from a pipe that stays open for 3 s after its first bytes.
      let curl = try Running.start(
        "/bin/sh",
        [
          "-c",
          "(printf '{\"features\":'; sleep 3) | curl -s -o /dev/null -w '%{http_code}' -X POST -T - http://127.0.0.1:\(port)/get-online-features",
        ])
      let stalled = await finished(curl)
      let after = try await client.post(
        "/get-online-features", #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]}}"#)
      return (stalled, after)
    }
    #expect(stalled.stdout == "408", "\(stalled)")
    #expect(after.status == .ok)
  }
}
