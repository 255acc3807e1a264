import FeatureDB
import Hummingbird
import Logging
import Prometheus

/// FeatureDB over HTTP: Feast's feature server wire format (`/get-online-features`, `/push`,
/// `/write-to-online-store`, `/health`), FeatureDB's own JSON API under `/api`, its OpenAPI
/// document at `/openapi.json` and request metrics at `/metrics`.
///
/// ```swift
/// let server = FeatureServer(store: try FeatureStore(path: "features.fdb"))
/// try await server.application().runService()
/// ```
public struct FeatureServer: Sendable {
  /// The store served.
  public let store: FeatureStore
  /// Address, access and limits.
  public let configuration: ServerConfiguration
  /// Where request logs go.
  public let logger: Logger
  /// The registry `/metrics` emits: the one swift-metrics was bootstrapped with (`fdb-server`
  /// does it; without it `/metrics` is empty).
  public let metrics: PrometheusCollectorRegistry

  /// A server for `store`.
  public init(
    store: FeatureStore, configuration: ServerConfiguration = ServerConfiguration(),
    logger: Logger = Logger(label: "fdb-server"),
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
  ) {
    self.store = store
    self.configuration = configuration
    self.logger = logger
    self.metrics = metrics
  }

  /// The `Server` header of every answer.
  static let serverName = "fdb-server"

  /// Every route, behind the metrics and logging middleware.
  public func router() -> Router<BasicRequestContext> {
    router(FeastRoutes(services: services()))
  }

  /// The server as a service: run it with `runService()` or in a `ServiceGroup`. Feast reads
  /// are answered on NIO's event loops where they can be (``DirectReadHandler``), every other
  /// request by the router.
  public func application() -> Application<RouterResponder<BasicRequestContext>> {
    let feast = FeastRoutes(services: services())
    let logger = logger
    return Application(
      router: router(feast),
      server: .http1(
        configuration: .init(
          additionalChannelHandlers: [DirectReadHandler(feast: feast, logger: logger)])),
      configuration: .init(
        address: .hostname(configuration.host, port: configuration.port),
        serverName: Self.serverName),
      logger: logger)
  }

  /// What the routes share.
  func services() -> Services {
    let writer = WriterThread()
    return Services(
      store: store,
      access: Access(tokens: configuration.tokens, readOnly: configuration.readOnly),
      limits: configuration.limits, commits: GroupCommit(store, on: writer), writer: writer,
      logger: logger)
  }

  /// Every route, with `feast`'s services.
  private func router(_ feast: FeastRoutes) -> Router<BasicRequestContext> {
    let router = Router(context: BasicRequestContext.self)
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: LogRequestsMiddleware(.info))
    let services = feast.services
    feast.add(to: router)
    CatalogRoutes(services: services).add(to: router)
    ValueRoutes(services: services).add(to: router)
    LineageRoutes(services: services).add(to: router)
    RollbackRoutes(services: services).add(to: router)
    UIRoutes(services: services).add(to: router)
    services.route(router, .get, "/openapi.json", role: nil, dialect: .native) { _, _ in
      .json(text: OpenAPIDocument.text)
    }
    services.route(router, .get, "/metrics", role: .read, dialect: .native) { _, _ in
      Response(
        status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
        body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.emitToString())))
    }
    return router
  }
}
