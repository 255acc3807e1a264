import FeatureDB
import FeatureServer
import Foundation
import Testing

/// Bodies that are not what a route expects get a 4xx with a message, and the server keeps
/// serving.
@Suite struct HostileBodyTests {
  let fixture: Fixture
  init() throws { fixture = try Fixture() }

  /// Sends `body` to `/get-online-features`, then checks that the server still answers a
  /// good read.
  func reply(to body: [UInt8], limits: Limits = Limits()) async throws -> Reply {
    try await fixture.withClient(ServerConfiguration(limits: limits)) { client in
      let reply = try await client.send(.post, "/get-online-features", body: body)
      let after = try await client.post(
        "/get-online-features", #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]}}"#)
      #expect(after.status == .ok)
      return reply
    }
  }

  @Test(arguments: [
    (#"{"features":["driver:trips"],"entities":"#, "the request body is not JSON"),
    (#"{"features":"driver:trips","entities":{"driver_id":["1"]}}"#, "features: expected Array"),
    (
      #"{"features":["driver:trips"],"entities":{"driver_id":[true]}}"#,
      "entities.driver_id[0]: an entity key is a string or an integer, got a Boolean"
    ),
    (#"{"features":["driver:trips"],"entities":{"driver_id":[{"a":1}]}}"#, "entities.driver_id[0]"),
    (#"{"features":["trips"],"entities":{"driver_id":["1"]}}"#, "not a Feast feature reference"),
    (#"{"features":["driver:trips"],"entities":{"a":["1"],"b":["1"]}}"#, "exactly one join key"),
    (#"{"features":[],"entities":{"driver_id":["1"]}}"#, "give feature references"),
    (#"{"entities":{"driver_id":["1"]}"#, "the request body is not JSON"),
  ])
  func malformedBodiesAre422(body: String, message: String) async throws {
    let reply = try await reply(to: Array(body.utf8))
    #expect(reply.status == .unprocessableContent)
    #expect(reply.errorMessage.contains(message), "\(reply.errorMessage)")
  }

  @Test func invalidUTF8Is422() async throws {
    let reply = try await reply(
      to: Array(#"{"features":["driver:"#.utf8) + [0xC3, 0x28] + Array(#""]}"#.utf8))
    #expect(reply.status == .unprocessableContent)
    #expect(reply.errorMessage == "the request body is not valid UTF-8")
  }

  @Test func deepNestingIs422() async throws {
    let depth = 100_000
    let body =
      #"{"features":["driver:trips"],"entities":{"driver_id":"#
      + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}}"
    let reply = try await reply(to: Array(body.utf8))
    #expect(reply.status == .unprocessableContent)
  }

  @Test func tooManyRowsIs400() async throws {
    let ids = (0..<101).map { "\"\($0)\"" }.joined(separator: ",")
    let reply = try await reply(
      to: Array(#"{"features":["driver:trips"],"entities":{"driver_id":[\#(ids)]}}"#.utf8),
      limits: Limits(maxRows: 100))
    #expect(reply.status == .badRequest)
    #expect(reply.errorMessage == "entities.driver_id: 101 rows; the server's limit is 100")
  }

  @Test func aBodyPastTheLimitIs413() async throws {
    let ids = Array(repeating: "\"1001\"", count: 1_000).joined(separator: ",")
    let reply = try await reply(
      to: Array(#"{"features":["driver:trips"],"entities":{"driver_id":[\#(ids)]}}"#.utf8),
      limits: Limits(maxBodyBytes: 1_000))
    #expect(reply.status == .contentTooLarge)
    #expect(reply.errorMessage == "the request body is larger than 1000 bytes")
  }
}
