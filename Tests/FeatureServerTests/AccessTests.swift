import FeatureDB
import FeatureServer
import Foundation
import Testing

/// Bearer tokens with roles, and `--read-only`.
@Suite struct AccessTests {
  let fixture: Fixture
  init() throws { fixture = try Fixture() }

  static let tokens = try! TokenTable(
    parsing: """
      # role token
      read reader-token-0123456789
      write writer-token-0123456789

      admin admin-token-01234567890
      """)
  static let read = #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]}}"#
  static let push = #"{"push_source_name":"driver","df":{"driver_id":["9"],"trips":[1]}}"#

  /// Through the router. Not over a socket: a refused read goes on to the router's task, which
  /// waits for the cooperative pool that parallel tests may hold past the test client's 20 s
  /// timeout; `DirectReadTests` checks that the event-loop handler refuses the same requests.
  @Test func withoutAValidTokenIs401() async throws {
    let (none, wrong, basic) = try await fixture.withClient(
      ServerConfiguration(tokens: Self.tokens)
    ) {
      client in
      (
        try await client.post("/get-online-features", Self.read),
        try await client.post("/get-online-features", Self.read, token: "reader-token-0123456788"),
        try await client.post(
          "/get-online-features", Self.read, headers: [.authorization: "Basic cmVhZGVy"])
      )
    }
    #expect(
      [none.status, wrong.status, basic.status] == [.unauthorized, .unauthorized, .unauthorized])
    #expect(none.errorMessage.contains("bearer token"))
  }

  @Test func eachRoleAllowsItsOwnAndLowerRoutes() async throws {
    let (readRead, readPush, writePush, adminRead) = try await fixture.withClient(
      ServerConfiguration(tokens: Self.tokens)
    ) { client in
      (
        try await client.post("/get-online-features", Self.read, token: "reader-token-0123456789"),
        try await client.post("/push", Self.push, token: "reader-token-0123456789"),
        try await client.post("/push", Self.push, token: "writer-token-0123456789"),
        try await client.post("/get-online-features", Self.read, token: "admin-token-01234567890")
      )
    }
    #expect(readRead.status == .ok)
    #expect(readPush.status == .forbidden)
    #expect(readPush.feastClass == "FeastPermissionError")
    #expect(readPush.errorMessage == "this needs a token with role write; the token's role is read")
    #expect(writePush.status == .ok)
    #expect(adminRead.status == .ok)
  }

  @Test func readOnlyRefusesWritesWith409() async throws {
    let (push, read) = try await fixture.withClient(ServerConfiguration(readOnly: true)) { client in
      (
        try await client.post("/push", Self.push),
        try await client.post("/get-online-features", Self.read)
      )
    }
    #expect(push.status == .conflict)
    #expect(push.errorMessage.contains("read-only"))
    #expect(read.status == .ok)
    #expect(try await fixture.store.latest("driver.trips", "9") == nil)
  }

  @Test func tokenFilesAreChecked() {
    #expect(throws: TokenFileError.self) { try TokenTable(parsing: "reader short-token-but-16+") }
    #expect(throws: TokenFileError.self) { try TokenTable(parsing: "read short") }
    #expect(throws: TokenFileError.self) { try TokenTable(parsing: "# nothing\n") }
    let table = try? TokenTable(parsing: "write 0123456789abcdef\nadmin 0123456789abcdef")
    #expect(table?.role(of: "0123456789abcdef") == .admin)
    #expect(table?.role(of: "0123456789abcde") == nil)
    #expect(table?.role(of: "0123456789abcdefg") == nil)
  }
}
