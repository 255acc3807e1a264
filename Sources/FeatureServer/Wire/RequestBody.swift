import Foundation
import Hummingbird

/// Reads a request's JSON body within the server's limits.
enum RequestBody {
  /// The body decoded as `T`.
  ///
  /// - Throws: ``APIError`` 413 past `maxBytes`; a malformed body (not UTF-8, not JSON, a
  ///   field of the wrong type or missing) with a message naming the field.
  static func decode<T: Decodable>(_ type: T.Type, from request: Request, maxBytes: Int)
    async throws -> T
  {
    let tooLarge = APIError(.contentTooLarge, "the request body is larger than \(maxBytes) bytes")
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
      throw tooLarge
    }
    var buffer = ByteBuffer()
    for try await chunk in request.body {
      guard buffer.readableBytes + chunk.readableBytes <= maxBytes else { throw tooLarge }
      buffer.writeImmutableBuffer(chunk)
    }
    let bytes = Data(buffer: buffer)
    guard String(validating: bytes, as: UTF8.self) != nil else {
      throw APIError.badBody("the request body is not valid UTF-8")
    }
    do {
      return try JSONDecoder().decode(T.self, from: bytes)
    } catch let error as DecodingError {
      throw APIError.badBody(describe(error))
    } catch {
      throw APIError.badBody("the request body is not JSON: \(error)")
    }
  }

  /// A decoding error as one line naming the field.
  static func describe(_ error: DecodingError) -> String {
    func path(_ keys: [any CodingKey]) -> String {
      keys.isEmpty
        ? "the body"
        : keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
          .trimmingPrefix(".").description
    }
    switch error {
    case .typeMismatch(let type, let context):
      return "\(path(context.codingPath)): expected \(type)"
    case .valueNotFound(let type, let context):
      return "\(path(context.codingPath)): expected \(type), got null"
    case .keyNotFound(let key, let context):
      return "\(path(context.codingPath + [key])): missing"
    case .dataCorrupted(let context):
      let detail = (context.underlyingError as? NSError)?.userInfo[NSDebugDescriptionErrorKey]
      return context.codingPath.isEmpty
        ? "the request body is not JSON\(detail.map { ": \($0)" } ?? "")"
        : "\(path(context.codingPath)): \(context.debugDescription)"
    @unknown default:
      return "the request body does not match: \(error)"
    }
  }
}
