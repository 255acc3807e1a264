import FeatureDB
import Foundation

/// Reads lines from a file descriptor in large chunks, keeping the byte offset after each line
/// (what the checkpoint records). A line longer than ``maxLineLength`` is an error.
struct JSONLinesReader {
  static let maxLineLength = 1 << 20

  let fd: Int32
  private var buffer: [UInt8] = []
  private var start = 0  // first unread byte in buffer
  private var atEOF = false
  /// File offset of `buffer[0]`.
  private var bufferOffset: UInt64
  /// 1-based number of the next line.
  private(set) var nextLine: Int

  init(fd: Int32, offset: UInt64, line: Int) {
    self.fd = fd
    bufferOffset = offset
    nextLine = line
  }

  /// The next line (without its newline), its number and the offset after it; nil at the end.
  mutating func next() throws(PipelineError) -> (bytes: ArraySlice<UInt8>, line: Int, end: UInt64)?
  {
    while true {
      if let nl = buffer[start...].firstIndex(of: 10) {
        let line = buffer[start..<nl]
        if line.count > Self.maxLineLength {
          throw .badEvent(line: nextLine, reason: "line longer than 1 MB (\(line.count) bytes)")
        }
        start = nl + 1
        defer { nextLine += 1 }
        return (line, nextLine, bufferOffset + UInt64(start))
      }
      if buffer.count - start > Self.maxLineLength {
        throw .badEvent(line: nextLine, reason: "line longer than 1 MB")
      }
      if atEOF {
        guard start < buffer.count else { return nil }
        let line = buffer[start...]
        start = buffer.count
        defer { nextLine += 1 }
        return (line, nextLine, bufferOffset + UInt64(start))
      }
      try fill()
    }
  }

  private mutating func fill() throws(PipelineError) {
    if start > 0 {
      buffer.removeFirst(start)
      bufferOffset += UInt64(start)
      start = 0
    }
    let chunk = 1 << 20
    let old = buffer.count
    buffer.append(contentsOf: repeatElement(0, count: chunk))
    var n = 0
    repeat {
      n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + old, chunk) }
    } while n < 0 && errno == EINTR
    if n < 0 {
      buffer.removeLast(chunk)
      throw .io("read failed: \(String(cString: strerror(errno)))")
    }
    buffer.removeLast(chunk - n)
    if n == 0 { atEOF = true }
  }
}

/// Decodes one JSON line into an event, with a short reason when it is not one.
struct EventDecoder {
  func decode(_ bytes: ArraySlice<UInt8>, line: Int) throws(PipelineError) -> BehaviorEvent {
    switch EventParser.parse(bytes) {
    case .success(let event): return event
    case .failure(let reason): throw .badEvent(line: line, reason: reason.text)
    }
  }
}
