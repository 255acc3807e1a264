import FeatureDB
import Foundation
import Logging
import Testing

@testable import FeatureServer

/// `LineLogHandler` writes swift-log's `StreamLogHandler` layout, one whole line per event, with
/// the time in UTC; `LogSink` writes lines at once from `notice` on, when its buffer is full,
/// when flushed, and otherwise within its interval.
@Suite struct LineLogHandlerTests {
  /// The lines `body` logs through a handler writing into a pipe.
  func lines(
    level: Logger.Level = .info, handlerMetadata: Logger.Metadata = [:],
    _ body: (Logger) -> Void
  ) throws -> [String] {
    var ends: [Int32] = [0, 0]
    #expect(pipe(&ends) == 0)
    let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
    let sink = LogSink(descriptor: ends[1])
    var logger = Logger(label: "fdb-server") { LineLogHandler(label: $0, sink: sink) }
    logger.logLevel = level
    for (key, value) in handlerMetadata { logger[metadataKey: key] = value }
    body(logger)
    sink.flush()
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

  /// What a pipe holds now, without waiting.
  func available(_ descriptor: Int32) -> String {
    var bytes = [UInt8](repeating: 0, count: 65_536)
    let flags = fcntl(descriptor, F_GETFL)
    _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK)
    let count = read(descriptor, &bytes, bytes.count)
    _ = fcntl(descriptor, F_SETFL, flags)
    return count > 0 ? String(decoding: bytes[..<count], as: UTF8.self) : ""
  }

  @Test func infoLinesWaitForTheBufferTheIntervalOrAFlush() throws {
    var ends: [Int32] = [0, 0]
    #expect(pipe(&ends) == 0)
    defer { close(ends[0]) }
    defer { close(ends[1]) }
    let sink = LogSink(descriptor: ends[1], capacity: 200, interval: .seconds(3_600))
    let logger = Logger(label: "l") { LineLogHandler(label: $0, sink: sink) }
    logger.info("first")
    #expect(available(ends[0]) == "")
    logger.notice("urgent")  // writes what waits, in order
    let both = available(ends[0]).split(separator: "\n")
    #expect(both.count == 2 && both[0].hasSuffix("] first") && both[1].hasSuffix("] urgent"))
    logger.info("second")
    #expect(available(ends[0]) == "")
    sink.flush()
    #expect(available(ends[0]).hasSuffix("] second\n"))
    logger.info("third")
    logger.info(.init(stringLiteral: String(repeating: "x", count: 200)))  // fills the buffer
    #expect(available(ends[0]).split(separator: "\n").count == 2)
  }

  @Test func theSinksThreadWritesWithinTheInterval() throws {
    var ends: [Int32] = [0, 0]
    #expect(pipe(&ends) == 0)
    defer { close(ends[0]) }
    defer { close(ends[1]) }
    let sink = LogSink(descriptor: ends[1], interval: .milliseconds(20))
    Logger(label: "l") { LineLogHandler(label: $0, sink: sink) }.info("later")
    var text = ""
    for _ in 0..<500 where text.isEmpty {  // up to 10 s on a loaded machine; 20 ms expected
      usleep(20_000)
      text = available(ends[0])
    }
    #expect(text.hasSuffix("] later\n"))
  }
}
