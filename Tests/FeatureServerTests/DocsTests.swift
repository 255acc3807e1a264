import FeatureDB
import FeatureServer
import Foundation
import HummingbirdTesting
import Logging
import TestSupport
import Testing

/// docs/server.md's examples, run verbatim against a live server on the fixture store: every
/// `$ ` line of its plain ``` blocks, in order, with `localhost:6566` pointed at the test's
/// server, its output compared with the lines after it (write times as placeholders).
@Suite struct DocsTests {
  static let doc = repositoryRoot.appendingPathComponent("docs/server.md")

  @Test func everyExampleRunsAsWritten() async throws {
    let text = try String(contentsOf: Self.doc, encoding: .utf8)
    let steps = shellSessions(text[...])
    #expect(steps.count >= 15, "docs/server.md has \(steps.count) examples")
    let fixture = try Fixture()
    let server = FeatureServer(store: fixture.store, logger: testLogger)
    try await server.application().test(.live) { client in
      let port = try #require(client.port)
      for (command, expected) in steps {
        let local = command.replacingOccurrences(of: "localhost:6566", with: "127.0.0.1:\(port)")
        let outcome = await finished(try Running.start("/bin/sh", ["-c", local + " 2>&1"]))
        // curl prints JSON without a final newline: its last line counts too.
        let lines = outcome.stdout.split(separator: "\n", omittingEmptySubsequences: false)
          .map(String.init).dropLast(outcome.stdout.hasSuffix("\n") ? 1 : 0)
        #expect(
          lines.map(normalizedSessionLine) == expected.map(normalizedSessionLine),
          "docs/server.md: $ \(command)\n\(outcome.stdout)")
      }
    }
  }
}
