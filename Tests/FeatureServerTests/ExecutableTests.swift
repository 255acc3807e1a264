import FeatureDB
import Foundation
import TestSupport
import Testing

/// The `fdb-server` executable: it serves until SIGTERM or SIGINT and then exits 0 (graceful
/// shutdown), and refuses a bad start with a one-line error.
@Suite struct ExecutableTests {
  static let server = productPath("fdb-server")

  /// A free loopback port (bound and released by a child, so a race with another process is
  /// possible but unlikely).
  static func freePort() async throws -> Int {
    let outcome = await finished(
      try Running.start(
        "/usr/bin/env",
        [
          "python3", "-c",
          "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])",
        ]))
    return try #require(Int(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))
  }

  /// Starts `fdb-server` on the fixture's store with `arguments` and waits (at most 60 s) until
  /// it answers `/health`.
  static func start(_ fixture: Fixture, _ arguments: [String] = []) async throws -> (Running, Int) {
    let port = try await freePort()
    let running = try Running.start(
      server, ["--db", fixture.store.path, "--port", String(port)] + arguments)
    var answer = ""
    for _ in 0..<600 where answer != "200" {
      let probe = await finished(
        try Running.start(
          "/usr/bin/env",
          [
            "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
            "http://127.0.0.1:\(port)/health",
          ]))
      answer = probe.stdout
      if answer != "200" { try await Task.sleep(for: .milliseconds(100)) }
    }
    #expect(answer == "200")
    return (running, port)
  }

  @Test(arguments: [SIGTERM, SIGINT])
  func aSignalStopsItGracefully(signal: Int32) async throws {
    let fixture = try Fixture()
    let (running, _) = try await Self.start(fixture)
    kill(running.process.processIdentifier, signal)
    let outcome = await finished(running)
    #expect(outcome.status == 0 && !outcome.crashed, "\(outcome)")
    #expect(outcome.stderr.contains("serving"))
  }

  /// A client that announces 100 bytes, sends 12 and waits gets 408 once the limit passes (the
  /// server runs in its own process, so the tests running beside this one cannot delay it).
  @Test func aStalledRequestGets408() async throws {
    let fixture = try Fixture()
    let (running, port) = try await Self.start(fixture, ["--request-timeout-ms", "200"])
    let client = await finished(
      try Running.start(
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
        ]))
    let after = await finished(
      try Running.start(
        "/usr/bin/env",
        [
          "curl", "-s", "-w", "%{http_code}", "-o", "/dev/null", "-d",
          #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]}}"#,
          "http://127.0.0.1:\(port)/get-online-features",
        ]))
    kill(running.process.processIdentifier, SIGTERM)
    _ = await finished(running)
    #expect(client.stdout == "HTTP/1.1 408 Request Timeout\n", "\(client)")
    #expect(after.stdout == "200")
  }

  /// A line per request at the default level (info); none at `--log-level notice`, which
  /// still says where it serves.
  @Test(arguments: [nil, "notice"])
  func requestLinesFollowTheLogLevel(level: String?) async throws {
    let fixture = try Fixture()
    let (running, port) = try await Self.start(fixture, level.map { ["--log-level", $0] } ?? [])
    _ = await finished(
      try Running.start("/usr/bin/env", ["curl", "-s", "http://127.0.0.1:\(port)/api/features"]))
    kill(running.process.processIdentifier, SIGTERM)
    let outcome = await finished(running)
    #expect(outcome.stderr.contains("serving"))
    #expect(outcome.stderr.contains("/api/features") == (level == nil), "\(outcome.stderr)")
  }

  @Test func aBadStartIsOneLineAndExitsNonZero() async throws {
    let directory = TemporaryDirectory()
    try "read short\n".write(toFile: directory.child("tokens"), atomically: true, encoding: .utf8)
    let fixture = try Fixture()
    let noStore = await finished(try Running.start(Self.server, ["--db", directory.child("none")]))
    let badTokens = await finished(
      try Running.start(
        Self.server, ["--db", fixture.store.path, "--token-file", directory.child("tokens")]))
    #expect(noStore.status != 0)
    #expect(noStore.stderr.contains("no store at"))
    #expect(badTokens.status != 0)
    #expect(badTokens.stderr.contains("token file line 1: a token needs at least 16 characters"))
  }
}
