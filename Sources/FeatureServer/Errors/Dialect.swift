import FDBCLI
import Hummingbird

/// Which wire format a route speaks, and so how its errors look.
public enum Dialect: Sendable {
  /// FeatureDB's own API: `{"error": MESSAGE, "status": CODE}`.
  case native
  /// Feast's feature server: a `FeastError` body is a JSON *string* holding
  /// `{"module", "class", "message"}` (Feast's `to_error_detail`, which its client turns back
  /// into the exception); a malformed body is FastAPI's 422 `{"detail": [{…, "msg": …}]}`.
  case feast
  /// The web UI: an HTML page with the message.
  case html

  /// The response for `error`.
  func response(_ error: APIError) -> Response {
    let body: JSON
    var status = error.status
    switch self {
    case .html:
      return HTML.page(
        "Error \(status.code)", "<p>\(HTML.escape(error.message))</p>", status: status)
    case .native:
      body = .object([("error", .string(error.message)), ("status", .int(Int(status.code)))])
    case .feast where error.isValidation:
      status = .unprocessableContent
      body = .object([
        (
          "detail",
          .array([
            .object([
              ("type", .string("value_error")), ("loc", .array([.string("body")])),
              ("msg", .string(error.message)),
            ])
          ])
        )
      ])
    case .feast:
      let detail = JSON.object([
        ("module", .string("feast.errors")), ("class", .string(error.feastClass)),
        ("message", .string(error.message)),
      ])
      body = .string(detail.compact)
    }
    return Response.json(body, status: status)
  }
}

extension Response {
  /// A JSON response of `body`, compact.
  static func json(_ body: JSON, status: HTTPResponse.Status = .ok) -> Response {
    Response.json(text: body.compact, status: status)
  }

  /// A JSON response of already-rendered `text`.
  static func json(text: String, status: HTTPResponse.Status = .ok) -> Response {
    json(ByteBuffer(string: text), status: status)
  }

  /// A JSON response of already-written bytes (sent with their length, not chunked).
  static func json(_ bytes: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
    Response(
      status: status, headers: [.contentType: "application/json"],
      body: ResponseBody(byteBuffer: bytes))
  }
}
