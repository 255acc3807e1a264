import FeatureDB
import FeatureServer
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// The web UI's pages, its escaping, its undo button and login; and screenshots of it taken by
/// headless Chromium.
@Suite struct UITests {
  let fixture: Fixture
  init() throws { fixture = try Fixture() }

  static let tokens = try! TokenTable(
    parsing: "read reader-token-0123456789\nadmin admin-token-01234567890")

  @Test func everyPageRendersTheStoresData() async throws {
    _ = try fixture.store.rollback(.run("scoring-1"), RollbackOptions(reason: "test"))
    let pages = try await fixture.withClient { client in
      [
        try await client.send(.get, "/ui"),
        try await client.send(.get, "/ui/entity?entity=1001"),
        try await client.send(.get, "/ui/history?feature=driver.score&entity=1001"),
        try await client.send(.get, "/ui/lineage?feature=driver.score&entity=1001&version=2"),
        try await client.send(.get, "/ui/runs"),
        try await client.send(.get, "/ui/run?id=scoring-1"),
        try await client.send(.get, "/ui/ops"),
      ]
    }
    #expect(pages.map(\.status) == Array(repeating: .ok, count: 7))
    #expect(pages[0].text.contains("<td>driver.stale</td><td>double</td><td>10</td><td>1d</td>"))
    #expect(pages[0].text.contains("<td>driver_service</td>"))
    #expect(
      pages[1].text.contains(
        "<td>driver.trips</td><td>1</td><td>2026-01-06T10:00:00Z</td><td>42</td>"))
    #expect(pages[2].text.contains("retracted by op 1"))
    #expect(pages[3].text.contains("<svg") && pages[3].text.contains("driver.trips:1001@1"))
    #expect(pages[3].text.components(separatedBy: "<rect").count - 1 == 2)
    #expect(pages[5].text.contains("<td>driver.score</td><td>2</td>"))
    #expect(pages[6].text.contains("<button>Undo</button>"))
  }

  @Test func userTextIsEscaped() async throws {
    try await fixture.store.put("driver.name", "<b>x</b>", "<script>alert(1)</script>")
    let page = try await fixture.withClient {
      try await $0.send(.get, "/ui/entity?entity=%3Cb%3Ex%3C%2Fb%3E")
    }
    #expect(page.text.contains("Entity &lt;b&gt;x&lt;/b&gt;"))
    #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    #expect(!page.text.contains("<script>"))
  }

  @Test func errorsArePages() async throws {
    let page = try await fixture.withClient {
      try await $0.send(.get, "/ui/history?feature=nope&entity=1")
    }
    #expect(page.status == .notFound)
    #expect(page.text.contains("<p>unknown feature &#39;nope&#39;</p>"))
  }

  /// With tokens: the login form keeps the token in a cookie; only an admin sees the undo button
  /// and may press it.
  @Test func undoIsForAdminsOnly() async throws {
    let rollback = try fixture.store.rollback(.run("scoring-1"), RollbackOptions(reason: "test"))
    let id = try #require(rollback.operation?.id)
    let (login, readerOps, readerUndo, adminOps, adminUndo) = try await fixture.withClient(
      ServerConfiguration(tokens: Self.tokens)
    ) { client in
      let login = try await client.send(
        .post, "/ui/login", body: Array("token=reader-token-0123456789".utf8))
      let reader: HTTPFields = [.cookie: "fdb_token=reader-token-0123456789"]
      let admin: HTTPFields = [.cookie: "fdb_token=admin-token-01234567890"]
      return (
        login,
        try await client.send(.get, "/ui/ops", headers: reader),
        try await client.send(
          .post, "/ui/undo", body: Array("operation=\(id)".utf8), headers: reader),
        try await client.send(.get, "/ui/ops", headers: admin),
        try await client.send(
          .post, "/ui/undo", body: Array("operation=\(id)".utf8), headers: admin)
      )
    }
    #expect(login.status == .seeOther)
    #expect(login.headers[.setCookie]?.hasPrefix("fdb_token=reader-token-0123456789") == true)
    #expect(login.headers[.setCookie]?.contains("HttpOnly") == true)
    #expect(readerOps.status == .ok && !readerOps.text.contains("<button>Undo</button>"))
    #expect(readerUndo.status == .forbidden)
    #expect(adminOps.text.contains("<button>Undo</button>"))
    #expect(adminUndo.status == .seeOther)
    #expect(try fixture.store.operation(id).undoneBy != nil)
  }

  /// Headless Chromium (Debian's `chromium`) renders the pages: each screenshot is a PNG of the
  /// window's size, and holds more than a blank page does (text, tables, the lineage SVG).
  /// Skipped where Chromium is not installed, except in CI (`CI` set), which installs it
  /// (`scripts/ensure-test-tools.sh`).
  @Test(
    .enabled(
      if: FileManager.default.isExecutableFile(atPath: UITests.chromium)
        || ProcessInfo.processInfo.environment["CI"] != nil))
  func screenshotsInHeadlessChromium() async throws {
    let server = FeatureServer(store: fixture.store, logger: testLogger)
    let shots = TemporaryDirectory()
    let sizes = try await server.application().test(.live) { client in
      let port = try #require(client.port)
      var sizes: [String: Int] = [:]
      for (name, url) in [
        ("blank", "about:blank"), ("features", "http://127.0.0.1:\(port)/ui"),
        ("lineage", "http://127.0.0.1:\(port)/ui/lineage?feature=driver.score&entity=1001"),
        ("ops", "http://127.0.0.1:\(port)/ui/ops"),
      ] {
        let file = shots.child("\(name).png")
        let outcome = await finished(
          try Running.start(
            Self.chromium,
            [
              "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              "--window-size=1000,700", "--screenshot=\(file)", url,
            ]))
        let png = try Data(contentsOf: URL(fileURLWithPath: file))
        let size = Self.dimensions(png)
        #expect(size?.0 == 1000 && size?.1 == 700, "\(name): \(outcome)")
        sizes[name] = png.count
      }
      return sizes
    }
    let blank = try #require(sizes["blank"])
    for page in ["features", "lineage", "ops"] {
      #expect((sizes[page] ?? 0) > 2 * blank, "\(page): \(sizes)")
    }
  }

  static let chromium = "/usr/bin/chromium"

  /// A PNG's width and height, from its IHDR chunk.
  static func dimensions(_ png: Data) -> (Int, Int)? {
    let bytes = [UInt8](png)
    guard bytes.count > 24, bytes[0..<8] == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
      return nil
    }
    func be32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
    return (be32(16), be32(20))
  }
}
