import Dispatch
import FeatureDB
import Hummingbird
import Logging
import Metrics
import NIOCore
import NIOHTTPTypes

/// Answers Feast's `POST /get-online-features` on the connection's event loop, as soon as NIO
/// has decoded it, instead of handing it to Hummingbird's router on a Swift concurrency task:
/// a 1 × 20 read costs the engine about 35k instructions, and the hops between the event loop
/// and a task cost several times that (docs/server.md, *Reads on the event loop*).
///
/// It answers only what it answers exactly as the route does (``FeastRoutes/onlineFeatures(_:)``:
/// the same body and headers, the same request metrics and log line): a request whose head,
/// body (at most ``maxBodyBytes``) and end arrived in one read, that the route would answer
/// with 200. Everything else is passed on to the router unchanged: other routes, a body still
/// arriving (the route's 408 timer applies to it), `Connection: close`, and any request the
/// route answers with an error (access refused, a malformed body, an unknown feature), which
/// the route then answers. While a request passed on is not answered, later requests are
/// passed on too, so that answers keep the order of the requests.
final class DirectReadHandler: ChannelDuplexHandler, RemovableChannelHandler {
  typealias InboundIn = HTTPRequestPart
  typealias InboundOut = HTTPRequestPart
  typealias OutboundIn = HTTPResponsePart
  typealias OutboundOut = HTTPResponsePart

  /// The path answered here.
  static let path = "/get-online-features"
  /// The largest body answered here (about 1,000 entity rows): a larger read runs on a task,
  /// so that no read holds the event loop, and the other connections on it, for long.
  static let maxBodyBytes = 16 << 10

  /// A request's head, its body so far, and when its head arrived (uptime nanoseconds).
  private struct Held {
    var head: HTTPRequest
    var body: ByteBuffer
    let start: UInt64
  }

  private let feast: FeastRoutes
  private let logger: Logger
  private let requests: Counter
  private let duration: Metrics.Timer
  private var date = HTTPDate()
  /// The request held back while it may be answered here.
  private var held: Held?
  /// Whether parts are passed on until the current request's end.
  private var passing = false
  /// Requests passed on whose answer has not ended yet.
  private var unanswered = 0

  /// A handler answering with `feast`'s read, logging to `logger` as the router's middleware
  /// does and counting in its metrics (`hb.requests`, `http.server.request.duration`).
  init(feast: FeastRoutes, logger: Logger) {
    self.feast = feast
    self.logger = logger
    let dimensions = [
      ("http.route", Self.path), ("http.request.method", "POST"),
      ("http.response.status_code", "200"),
    ]
    requests = Counter(label: "hb.requests", dimensions: dimensions)
    duration = Metrics.Timer(
      label: "http.server.request.duration", dimensions: dimensions, preferredDisplayUnit: .seconds)
  }

  func channelRead(context: ChannelHandlerContext, data: NIOAny) {
    let part = unwrapInboundIn(data)
    if passing {
      if case .end = part { passing = false }
      context.fireChannelRead(data)
      return
    }
    switch part {
    case .head(let head) where unanswered == 0 && Self.mayAnswer(head):
      held = Held(head: head, body: ByteBuffer(), start: DispatchTime.now().uptimeNanoseconds)
    case .head:
      unanswered += 1
      passing = true
      context.fireChannelRead(data)
    case .body(let chunk):
      guard var request = held else { return context.fireChannelRead(data) }
      held = nil  // the buffer is uniquely referenced while it grows
      if request.body.readableBytes == 0 {
        request.body = chunk
      } else {
        request.body.writeImmutableBuffer(chunk)
      }
      if request.body.readableBytes > Self.maxBodyBytes {
        passOn(request, context)
      } else {
        held = request
      }
    case .end:
      guard let request = held else { return context.fireChannelRead(data) }
      held = nil
      if let body = answer(request) {
        send(body, for: request, context)
      } else {
        passOn(request, context)
        passing = false
        context.fireChannelRead(data)
      }
    }
  }

  /// A request not whole after a read continues on the router.
  func channelReadComplete(context: ChannelHandlerContext) {
    if let request = held {
      held = nil
      passOn(request, context)
    }
    context.fireChannelReadComplete()
  }

  func errorCaught(context: ChannelHandlerContext, error: any Error) {
    if let request = held {
      held = nil
      passOn(request, context)
    }
    context.fireErrorCaught(error)
  }

  /// Counts the answers of the requests passed on as they end.
  func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
    if case .end = unwrapOutboundIn(data) { unanswered = max(unanswered - 1, 0) }
    context.write(data, promise: promise)
  }

  /// Whether a request with `head` may be answered here, once its body has arrived.
  private static func mayAnswer(_ head: HTTPRequest) -> Bool {
    head.method == .post && head.path == path && head.headerFields[.connection] != "close"
  }

  /// The route's answer to `request`, or nil when it is not a 200 (the route answers it).
  private func answer(_ request: Held) -> ByteBuffer? {
    do {
      try feast.services.access.check(request.head.headerFields, .read)
      return try feast.onlineFeatures(request.body)
    } catch {
      return nil
    }
  }

  /// Writes `body` as the 200 answer to `request`, with the headers Hummingbird adds.
  private func send(_ body: ByteBuffer, for request: Held, _ context: ChannelHandlerContext) {
    var fields = HTTPFields()
    fields[.contentType] = "application/json"
    fields[.contentLength] = String(body.readableBytes)
    fields[.date] = date.value(at: .now)
    fields[.server] = FeatureServer.serverName
    context.write(
      wrapOutboundOut(.head(HTTPResponse(status: .ok, headerFields: fields))), promise: nil)
    context.write(wrapOutboundOut(.body(body)), promise: nil)
    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    requests.increment()
    duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - request.start))
    logger.info(
      "Request",
      metadata: [
        "hb.request.id": .stringConvertible(RequestID()),
        "hb.request.path": .string(request.head.path ?? ""),
        "hb.request.method": .string(request.head.method.rawValue),
      ])
  }

  /// Hands `request`'s head and body so far to the router; the rest of it follows them.
  private func passOn(_ request: Held, _ context: ChannelHandlerContext) {
    unanswered += 1
    passing = true
    context.fireChannelRead(wrapInboundOut(.head(request.head)))
    if request.body.readableBytes > 0 {
      context.fireChannelRead(wrapInboundOut(.body(request.body)))
    }
  }
}
