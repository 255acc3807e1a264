import Foundation
import Hummingbird
import Synchronization

/// Reads a request's JSON body within the server's limits.
enum JSONBody {
  /// The body decoded as `T`.
  ///
  /// - Throws: ``APIError`` 413 past `limits.maxBodyBytes`; 408 when the whole body has not
  ///   arrived within `limits.requestTimeoutMilliseconds` (a client that stalls); a malformed
  ///   body (not UTF-8, not JSON, a field of the wrong type or missing) with a message naming
  ///   the field.
  static func decode<T: Decodable>(_ type: T.Type, from request: Request, limits: Limits)
    async throws -> T
  {
    try foundationDecode(type, from: try await bytes(request, limits: limits))
  }

  /// `body` decoded as `T`: read by ``JSONReader`` when it can, else as the other `Decodable`
  /// bodies are (the same value, or the same error).
  static func decode<T: ReaderDecodable>(_ type: T.Type, from body: ByteBuffer) throws -> T {
    try JSONReader.read(body, T.read) ?? foundationDecode(type, from: body)
  }

  /// `body` decoded by `JSONDecoder`, its errors worded as one line naming the field.
  private static func foundationDecode<T: Decodable>(_ type: T.Type, from body: ByteBuffer)
    throws -> T
  {
    guard let text = String(validating: body.readableBytesView, as: UTF8.self) else {
      throw APIError.badBody("the request body is not valid UTF-8")
    }
    do {
      return try JSONDecoder().decode(T.self, from: Data(text.utf8))
    } catch let error as DecodingError {
      throw APIError.badBody(describe(error))
    } catch {
      throw APIError.badBody("the request body is not JSON: \(error)")
    }
  }

  /// The body as UTF-8 text, within the limits.
  ///
  /// - Throws: ``APIError`` 413, 408, or a malformed body when it is not UTF-8.
  static func text(_ request: Request, limits: Limits) async throws -> String {
    guard
      let text = String(
        validating: try await bytes(request, limits: limits).readableBytesView, as: UTF8.self)
    else {
      throw APIError.badBody("the request body is not valid UTF-8")
    }
    return text
  }

  /// The body's bytes, within the limits.
  ///
  /// - Throws: ``APIError`` 413 or 408.
  static func bytes(_ request: Request, limits: Limits) async throws -> ByteBuffer {
    let maxBytes = limits.maxBodyBytes
    if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > maxBytes {
      throw APIError(.contentTooLarge, "the request body is larger than \(maxBytes) bytes")
    }
    return try await collect(request.body, limits)
  }

  /// The whole body, or 413 past the size limit, or 408 when the time limit passes first. The
  /// time limit answers at once: a read of a stalled body cannot be interrupted, so it goes on
  /// in a task of its own until the client sends more or goes away. The timer stops when the
  /// body is read (a sleeping timer per request would pile up for the whole time limit).
  private static func collect(_ body: Hummingbird.RequestBody, _ limits: Limits) async throws
    -> ByteBuffer
  {
    let once = Once()
    var timer: Task<Void, Never>?
    defer { timer?.cancel() }
    return try await withCheckedThrowingContinuation { continuation in
      let reader = Task {
        var buffer = ByteBuffer()
        do {
          for try await chunk in body {
            guard buffer.readableBytes + chunk.readableBytes <= limits.maxBodyBytes else {
              throw APIError(
                .contentTooLarge, "the request body is larger than \(limits.maxBodyBytes) bytes")
            }
            buffer.writeImmutableBuffer(chunk)
          }
          once.run { continuation.resume(returning: buffer) }
        } catch {
          once.run { continuation.resume(throwing: error) }
        }
      }
      timer = Task {
        try? await Task.sleep(for: .milliseconds(limits.requestTimeoutMilliseconds))
        once.run {
          reader.cancel()
          continuation.resume(
            throwing: APIError(
              .requestTimeout,
              "the request body did not arrive within \(limits.requestTimeoutMilliseconds) ms"))
        }
      }
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

/// Runs the first body given to it, once.
private final class Once: Sendable {
  private let done = Mutex(false)

  func run(_ body: () -> Void) {
    let first = done.withLock { done in
      defer { done = true }
      return !done
    }
    if first { body() }
  }
}
