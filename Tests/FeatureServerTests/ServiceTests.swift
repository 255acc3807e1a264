import FeatureDB
import FeatureServer
import Foundation
import HummingbirdTesting
import Metrics
import Prometheus
import TestSupport
import Testing

/// What the server does around the routes: metrics.
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
}
