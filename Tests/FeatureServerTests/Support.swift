import FeatureDB
import FeatureServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// A store with a `driver` feature view of every type, and an in-process server on it.
struct Fixture {
  let store: FeatureStore
  let directory: TemporaryDirectory

  /// Event times of the fixture's versions (fixed, so no test depends on today's date).
  static let t1 = Timestamp(iso8601: "2026-01-05T10:00:00.123Z")!
  static let t2 = Timestamp(iso8601: "2026-01-06T10:00:00Z")!
  /// An event time so old that a one-day TTL has passed whatever day the test runs.
  static let old = Timestamp(iso8601: "2001-01-01T00:00:00Z")!

  /// Features `driver.conv_rate` (double), `driver.trips` (int), `driver.active` (bool),
  /// `driver.name` (string), `driver.vec` (embedding:3), `driver.stale` (double, ttl 1 day),
  /// group `driver_service` (conv_rate, trips); entity 1001 has a value of each (`stale`
  /// expired), 1002 has a deleted `conv_rate`; `driver.score` of 1001 is derived from its
  /// `trips` by run `scoring-1`, twice (versions 1 and 2).
  init() throws {
    (store, directory) = try makeStore()
    for (name, type) in [
      ("driver.conv_rate", ValueType.double), ("driver.trips", .int), ("driver.active", .bool),
      ("driver.name", .string), ("driver.vec", .embedding(dims: 3)),
    ] {
      try store.define(FeatureDefinition(name, type: type))
    }
    try store.define(FeatureDefinition("driver.stale", type: .double, ttl: .days(1)))
    try store.define(FeatureDefinition("driver.score", type: .double))
    try store.defineGroup(
      FeatureGroup("driver_service", features: ["driver.conv_rate", "driver.trips"]))
    try store.write { batch in
      batch.lineage = Lineage(producer: "fixture@1", run: "fixture-run")
      batch.put("driver.conv_rate", "1001", 0.5, eventTime: Self.t1)
      batch.put("driver.trips", "1001", 42, eventTime: Self.t2)
      batch.put("driver.active", "1001", true, eventTime: Self.t2)
      batch.put("driver.name", "1001", "Ana", eventTime: Self.t2)
      batch.put("driver.vec", "1001", [Float(0.25), 0.5, 1], eventTime: Self.t2)
      batch.put("driver.stale", "1001", 9.5, eventTime: Self.old)
      batch.put("driver.conv_rate", "1002", 0.7, eventTime: Self.t1)
      batch.delete("driver.conv_rate", "1002", eventTime: Self.t2)
    }
    for (score, time) in [(0.8, Self.t1), (0.9, Self.t2)] {
      try store.put(
        "driver.score", "1001", score, eventTime: time,
        lineage: Lineage(
          producer: "score@1", run: "scoring-1", inputs: [.version("driver.trips", "1001", 1)]))
    }
  }

  /// Runs `body` against an in-process server on the store: its router (no socket), or with
  /// `live` a server on a loopback port.
  func withClient<R>(
    _ configuration: ServerConfiguration = ServerConfiguration(), live: Bool = false,
    _ body: @Sendable (any TestClientProtocol) async throws -> R
  ) async throws -> R {
    let server = FeatureServer(
      store: store, configuration: configuration, logger: testLogger)
    return try await server.application().test(live ? .live : .router, body)
  }
}

/// A response's status, text and JSON.
struct Reply {
  let status: HTTPResponse.Status
  let text: String
  let headers: HTTPFields

  /// The body parsed as JSON (fragments allowed: Feast's error bodies are JSON strings).
  var json: Any? {
    try? JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed)
  }

  /// The body as a JSON object.
  var object: [String: Any] { json as? [String: Any] ?? [:] }

  /// The message of an error body, in either dialect: Feast's (a JSON string holding
  /// `{"module","class","message"}`, or FastAPI's `{"detail": [{"msg"}]}`) or FeatureDB's
  /// (`{"error"}`).
  var errorMessage: String {
    if let detail = json as? String,
      let inner = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any]
    {
      return inner["message"] as? String ?? ""
    }
    if let detail = object["detail"] as? [[String: Any]] {
      return detail.first?["msg"] as? String ?? ""
    }
    return object["error"] as? String ?? ""
  }

  /// The `class` of a Feast error body.
  var feastClass: String? {
    guard let detail = json as? String,
      let inner = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any]
    else { return nil }
    return inner["class"] as? String
  }
}

extension TestClientProtocol {
  /// Sends `body` (bytes as given) to `path` and returns the reply.
  func send(
    _ method: HTTPRequest.Method, _ path: String, body: [UInt8]? = nil, token: String? = nil,
    headers extra: HTTPFields = [:]
  ) async throws -> Reply {
    var headers = extra
    if body != nil { headers[.contentType] = "application/json" }
    if let token { headers[.authorization] = "Bearer \(token)" }
    return try await execute(
      uri: path, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }
    ) { response in
      Reply(status: response.status, text: String(buffer: response.body), headers: response.headers)
    }
  }

  /// POSTs JSON text.
  func post(_ path: String, _ json: String, token: String? = nil, headers: HTTPFields = [:])
    async throws -> Reply
  {
    try await send(.post, path, body: Array(json.utf8), token: token, headers: headers)
  }
}

/// Waits for a process off the cooperative pool (a server in this process keeps serving).
func finished(_ running: Running) async -> Outcome {
  await withCheckedContinuation { continuation in
    DispatchQueue.global().async { continuation.resume(returning: running.finish()) }
  }
}

/// The repository's root directory.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent().deletingLastPathComponent()

/// The servers' logger in tests: warnings and errors only.
let testLogger: Logger = {
  var logger = Logger(label: "test")
  logger.logLevel = .warning
  return logger
}()
