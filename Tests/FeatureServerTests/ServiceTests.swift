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

  /// Through the router alone, and over a socket (where reads are answered on the event loop:
  /// `DirectReadHandler` counts them under the same names).
  @Test(arguments: [false, true]) func metricsCountRequestsPerRoute(live: Bool) async throws {
    let fixture = try Fixture()
    let server = FeatureServer(store: fixture.store, logger: testLogger, metrics: Self.registry)
    let (before, after) = try await server.application().test(live ? .live : .router) { client in
      let before = try await client.send(.get, "/metrics").text
      for _ in 0..<20 {
        _ = try await client.post(
          "/get-online-features",
          #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]}}"#)
      }
      return (before, try await client.send(.get, "/metrics").text)
    }
    // Other tests of this process count too: at least these 20 requests.
    #expect(Self.reads(after) >= Self.reads(before) + 20, "\(after)")
  }

  /// The count of 200 answers to `/get-online-features` in `/metrics` text.
  static func reads(_ text: String) -> Int {
    let line = text.split(separator: "\n").first {
      $0.hasPrefix("hb_requests{") && $0.contains(#"http_route="/get-online-features""#)
        && $0.contains(#"http_response_status_code="200""#)
    }
    return line?.split(separator: " ").last.flatMap { Int($0) } ?? 0
  }
}
