import ArgumentParser
import FeatureDB
import FeatureServer
import Foundation
import Logging
import Metrics
import Prometheus
import ServiceLifecycle

/// `fdb-server`: serves a FeatureDB store over HTTP until SIGINT or SIGTERM.
@main
struct FDBServer: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fdb-server",
    abstract: "Serve a FeatureDB store over HTTP (Feast's feature server API and FeatureDB's own).",
    discussion: """
      Examples:
        fdb-server --db features.fdb
        fdb-server --db features.fdb --host 0.0.0.0 --token-file tokens.txt
      The token file has one 'ROLE TOKEN' per line (ROLE: read, write or admin). See docs/server.md.
      """)

  @Option(help: "The store directory.")
  var db: String = FeatureStore.defaultPath

  @Option(help: "The address to listen on (loopback unless told otherwise).")
  var host: String = "127.0.0.1"

  @Option(help: "The port (Feast's default).")
  var port: Int = 6566

  @Flag(help: "Open the store read-only and refuse every write with 409.")
  var readOnly = false

  @Option(help: "A file of 'ROLE TOKEN' lines; without it, no token is asked for.")
  var tokenFile: String?

  @Flag(
    help:
      "Check the pages on every read's path (as fdb does); by default every page is checked once at start."
  )
  var checkPages = false

  @Option(help: "Largest request body, in bytes.")
  var maxBodyBytes = Limits().maxBodyBytes

  @Option(help: "Most entity rows (or pushed rows) per request.")
  var maxRows = Limits().maxRows

  @Option(help: "Longest a request's body may take to arrive, in milliseconds (408 past it).")
  var requestTimeoutMs = Limits().requestTimeoutMilliseconds

  @Option(
    help: """
      The least severe log level written: trace, debug, info (a line per request), notice, \
      warning, error or critical.
      """)
  var logLevel: Logger.Level = .info

  func run() async throws {
    defer { LogSink.standardError.flush() }  // the request lines of the last 100 ms
    LoggingSystem.bootstrap { [logLevel] label in
      var handler = LineLogHandler(label: label)
      handler.logLevel = logLevel
      return handler
    }
    let logger = Logger(label: "fdb-server")
    let registry = PrometheusCollectorRegistry()
    MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
    let tokens = try tokenFile.map { path in
      do {
        return try TokenTable(parsing: String(contentsOfFile: path, encoding: .utf8))
      } catch let error as TokenFileError {
        throw ValidationError("\(path): \(error)")
      } catch {
        throw ValidationError("cannot read --token-file \(path): \(error.localizedDescription)")
      }
    }
    guard FileManager.default.fileExists(atPath: db + "/data.mdb") else {
      throw ValidationError("no store at \(db) (create one with 'fdb init', or pass --db PATH)")
    }
    let store = try FeatureStore(
      path: db, options: StoreOptions(readOnly: readOnly, create: false, checkPages: checkPages))
    // Damage is an error, never a crash: every page is read and checked before LMDB may follow
    // one. Per-read checks (--check-pages) also catch damage done while serving, at about 40%
    // of a read's time.
    try store.checkStructure()
    let server = FeatureServer(
      store: store,
      configuration: ServerConfiguration(
        host: host, port: port, readOnly: readOnly, tokens: tokens,
        limits: Limits(
          maxBodyBytes: maxBodyBytes, maxRows: maxRows,
          requestTimeoutMilliseconds: requestTimeoutMs)),
      logger: logger, metrics: registry)
    logger.notice(
      "serving",
      metadata: [
        "db": "\(db)", "address": "\(host):\(port)", "readOnly": "\(readOnly)",
        "tokens": "\(tokens == nil ? "none" : "required")",
      ])
    let group = ServiceGroup(
      configuration: .init(
        services: [server.application()], gracefulShutdownSignals: [.sigterm, .sigint],
        logger: logger))
    try await group.run()
  }
}

/// `--log-level NAME`: swift-log's level names.
extension Logger.Level: @retroactive ExpressibleByArgument {}
