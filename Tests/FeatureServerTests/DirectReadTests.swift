import FeatureDB
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing

@testable import FeatureServer

/// `DirectReadHandler`: which requests it answers on the event loop (the route's 200 answer,
/// byte for byte) and which it passes on to the router whole and in order.
@Suite struct DirectReadTests {
  let fixture: Fixture
  init() throws { fixture = try Fixture() }

  static let read =
    #"{"features":["driver:trips","driver:name"],"entities":{"driver_id":["1001","1002"]}}"#
  static let unknown = #"{"features":["driver:nope"],"entities":{"driver_id":["1001"]}}"#

  /// A channel with the handler alone on `configuration`'s server.
  func channel(_ configuration: ServerConfiguration = ServerConfiguration()) throws
    -> EmbeddedChannel
  {
    let server = FeatureServer(
      store: fixture.store, configuration: configuration, logger: testLogger)
    return EmbeddedChannel(
      handler: DirectReadHandler(
        feast: FeastRoutes(services: server.services()), logger: testLogger))
  }

  static func head(
    _ path: String = DirectReadHandler.path, method: HTTPRequest.Method = .post,
    fields: HTTPFields = [:]
  ) -> HTTPRequestPart {
    .head(
      HTTPRequest(method: method, scheme: nil, authority: nil, path: path, headerFields: fields))
  }

  /// Delivers `parts` as one read.
  static func read(_ channel: EmbeddedChannel, _ parts: [HTTPRequestPart]) throws {
    for part in parts { channel.pipeline.fireChannelRead(part) }
    channel.pipeline.fireChannelReadComplete()
    try channel.throwIfErrorCaught()
  }

  /// A whole POST of `body`.
  static func request(_ body: String, _ fields: HTTPFields = [:]) -> [HTTPRequestPart] {
    [head(fields: fields), .body(ByteBuffer(string: body)), .end(nil)]
  }

  /// What was passed on to the router, as (kind, path or body text) pairs.
  static func passedOn(_ channel: EmbeddedChannel) throws -> [String] {
    var parts: [String] = []
    while let part = try channel.readInbound(as: HTTPRequestPart.self) {
      switch part {
      case .head(let head): parts.append("head \(head.path ?? "")")
      case .body(let body): parts.append("body \(String(buffer: body))")
      case .end: parts.append("end")
      }
    }
    return parts
  }

  /// The answer written on the channel, if any: status, headers, body.
  static func answer(_ channel: EmbeddedChannel) throws -> (HTTPResponse, String)? {
    guard case .head(let head) = try channel.readOutbound(as: HTTPResponsePart.self) else {
      return nil
    }
    guard case .body(let body) = try channel.readOutbound(as: HTTPResponsePart.self),
      case .end(nil) = try channel.readOutbound(as: HTTPResponsePart.self)
    else {
      Issue.record("an answer without its body and end")
      return nil
    }
    return (head, String(buffer: body))
  }

  @Test func aWholeReadIsAnsweredWithTheRoutesBytes() async throws {
    let routed = try await fixture.withClient {
      try await $0.post("/get-online-features", Self.read)
    }
    #expect(routed.status == .ok)
    let channel = try channel()
    try Self.read(channel, Self.request(Self.read))
    let (head, body) = try #require(try Self.answer(channel))
    #expect(head.status == .ok)
    #expect(body == routed.text)
    #expect(head.headerFields[.contentType] == "application/json")
    #expect(head.headerFields[.contentLength] == String(routed.text.utf8.count))
    #expect(head.headerFields[.server] == "fdb-server")
    let date = try #require(head.headerFields[.date])
    #expect(date.hasSuffix(" GMT") && date.count == 29, "\(date)")
    #expect(try Self.passedOn(channel).isEmpty)
  }

  @Test func whatTheRouteAnswersWithAnErrorIsPassedOnWhole() throws {
    let channel = try channel()
    try Self.read(channel, Self.request(Self.unknown))
    #expect(try Self.answer(channel) == nil)
    #expect(
      try Self.passedOn(channel) == ["head /get-online-features", "body \(Self.unknown)", "end"])
    // So is a read without the token the server needs; with it, it is answered here.
    let guarded = try self.channel(ServerConfiguration(tokens: AccessTests.tokens))
    try Self.read(guarded, Self.request(Self.read))
    #expect(try Self.answer(guarded) == nil)
    #expect(try Self.passedOn(guarded).count == 3)
    try Self.routerAnswers(1, guarded)  // the router's 401
    try Self.read(
      guarded, Self.request(Self.read, [.authorization: "Bearer reader-token-0123456789"]))
    #expect(try Self.answer(guarded)?.0.status == .ok)
  }

  @Test func aRequestNotWholeAfterAReadContinuesOnTheRouter() throws {
    let channel = try channel()
    let (first, rest) = (String(Self.read.prefix(20)), String(Self.read.dropFirst(20)))
    try Self.read(channel, [Self.head(), .body(ByteBuffer(string: first))])
    #expect(try Self.passedOn(channel) == ["head /get-online-features", "body \(first)"])
    try Self.read(channel, [.body(ByteBuffer(string: rest)), .end(nil)])
    #expect(try Self.passedOn(channel) == ["body \(rest)", "end"])
    #expect(try Self.answer(channel) == nil)
  }

  @Test func otherRoutesConnectionCloseAndLargeBodiesArePassedOn() throws {
    let channel = try channel()
    try Self.read(channel, [Self.head("/health", method: .get), .end(nil)])
    #expect(try Self.passedOn(channel) == ["head /health", "end"])
    try Self.routerAnswers(1, channel)
    try Self.read(channel, Self.request(Self.read, [.connection: "close"]))
    #expect(try Self.passedOn(channel).count == 3)
    try Self.routerAnswers(1, channel)
    let large = Self.read + String(repeating: " ", count: DirectReadHandler.maxBodyBytes)
    try Self.read(channel, Self.request(large))
    #expect(try Self.passedOn(channel).count == 3)
    #expect(try Self.answer(channel) == nil)
  }

  @Test func answersKeepTheOrderOfTheRequests() throws {
    let channel = try channel()
    // A request the router answers, then a read in the same read: the read waits its turn.
    try Self.read(
      channel, [Self.head("/health", method: .get), .end(nil)] + Self.request(Self.read))
    #expect(try Self.answer(channel) == nil)
    #expect(try Self.passedOn(channel).count == 5)
    // Until the router's answers end, reads go to it too; then they are answered here again.
    try Self.read(channel, Self.request(Self.read))
    #expect(try Self.passedOn(channel).count == 3)
    try Self.routerAnswers(2, channel)
    try Self.read(channel, Self.request(Self.read))
    #expect(try Self.passedOn(channel).count == 3)
    try Self.routerAnswers(2, channel)
    try Self.read(channel, Self.request(Self.read))
    #expect(try Self.answer(channel)?.0.status == .ok)
    #expect(try Self.passedOn(channel).isEmpty)
  }

  /// The router writes the ends of `count` answers.
  static func routerAnswers(_ count: Int, _ channel: EmbeddedChannel) throws {
    for _ in 0..<count { try channel.writeOutbound(HTTPResponsePart.end(nil)) }
    while try channel.readOutbound(as: HTTPResponsePart.self) != nil {}
  }

  @Test func theDateHeaderIsIMFFixdate() {
    #expect(
      HTTPDate.format(Timestamp(iso8601: "1994-11-06T08:49:37Z")!)
        == "Sun, 06 Nov 1994 08:49:37 GMT")
    #expect(
      HTTPDate.format(Timestamp(iso8601: "2026-12-07T21:05:09.999Z")!)
        == "Mon, 07 Dec 2026 21:05:09 GMT")
    #expect(
      HTTPDate.format(Timestamp(iso8601: "1969-12-31T23:59:59Z")!)
        == "Wed, 31 Dec 1969 23:59:59 GMT")
  }
}
