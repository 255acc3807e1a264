import FeatureDB
import Foundation
import Logging
import Testing

@testable import FeatureServer

/// `LineLogHandler` writes swift-log's `StreamLogHandler` layout, one whole line per event, with
/// the time in UTC.
@Suite struct LineLogHandlerTests {
  /// The lines `body` logs through a handler writing into a pipe.
  func lines(
    level: Logger.Level = .info, handlerMetadata: Logger.Metadata = [:],
    _ body: (Logger) -> Void
  ) throws -> [String] {
    var ends: [Int32] = [0, 0]
    #expect(pipe(&ends) == 0)
    let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
    var logger = Logger(label: "fdb-server") { LineLogHandler(label: $0, descriptor: ends[1]) }
    logger.logLevel = level
    for (key, value) in handlerMetadata { logger[metadataKey: key] = value }
    body(logger)
    close(ends[1])
    let text = String(decoding: try reader.readToEnd() ?? Data(), as: UTF8.self)
    #expect(text.isEmpty || text.hasSuffix("\n"))
    return text.split(separator: "\n").map(String.init)
  }

  @Test func aLineIsTimeLevelLabelSortedMetadataSourceAndMessage() throws {
    let before = Timestamp.now
    let written = try lines(handlerMetadata: ["m": "handler", "b": "overridden"]) { logger in
      logger.info("Request", metadata: ["z": "last", "b": "first", "n": .stringConvertible(42)])
    }
    let after = Timestamp.now
    #expect(written.count == 1)
    let line = try #require(written.first)
    let time = try #require(line.split(separator: " ").first.map(String.init))
    #expect(time.hasSuffix("Z"))
    let t = try #require(Timestamp(iso8601: time))
    #expect(t >= Timestamp(microseconds: before.microseconds / 1_000_000 * 1_000_000) && t <= after)
    #expect(
      line.dropFirst(time.count)
        == " info fdb-server: b=first m=handler n=42 z=last [FeatureServerTests] Request")
  }

  @Test func levelsBelowTheLoggersAreNotWritten() throws {
    let written = try lines(level: .notice) { logger in
      logger.info("dropped")
      logger.notice("serving", metadata: ["tags": ["a", "b"]])
    }
    #expect(written.count == 1)
    #expect(
      written.first?.hasSuffix(#" notice fdb-server: tags=["a", "b"] [FeatureServerTests] serving"#)
        == true)
  }

  @Test func anErrorIsNamedInTheMetadata() throws {
    struct Broken: Error, CustomStringConvertible { var description: String { "disk full" } }
    let written = try lines { logger in logger.error("write failed", error: Broken()) }
    let line = try #require(written.first)
    #expect(line.contains(" error fdb-server: error.message=disk full error.type="))
    #expect(line.hasSuffix("Broken [FeatureServerTests] write failed"))
  }

  @Test func lineWithoutMetadataHasNone() throws {
    let written = try lines { logger in logger.warning("slow") }
    #expect(written.first?.hasSuffix(" warning fdb-server: [FeatureServerTests] slow") == true)
  }
}
