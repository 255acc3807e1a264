import FeatureDB
import Foundation

/// Reads lines from a file descriptor in large chunks, keeping the byte offset after each line
/// (what the checkpoint records). A line longer than ``maxLineLength`` is read past without
/// being kept: it comes back as its first ``keptPrefix`` bytes with its length, so the caller
/// can report it (or skip it) and go on with the next line.
struct JSONLinesReader {
  static let maxLineLength = 1 << 20
  /// Bytes kept of a line longer than ``maxLineLength``.
  static let keptPrefix = 1_024

  /// One line: its bytes (without the newline), 1-based number, the file offset after it, and
  /// for a line longer than ``maxLineLength`` its length (`bytes` then holds its first
  /// ``keptPrefix`` bytes).
  struct Line {
    var bytes: ArraySlice<UInt8>
    var number: Int
    var end: UInt64
    var overlong: Int?
  }

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

  /// The next line; nil at the end.
  mutating func next() throws(PipelineError) -> Line? {
    while true {
      if let nl = buffer[start...].firstIndex(of: 10) {
        if nl - start > Self.maxLineLength { return try skipOverlong() }
        return take(buffer[start..<nl], upTo: nl + 1)
      }
      if buffer.count - start > Self.maxLineLength { return try skipOverlong() }
      if atEOF {
        guard start < buffer.count else { return nil }
        return take(buffer[start...], upTo: buffer.count)
      }
      try fill()
    }
  }

  private mutating func take(_ bytes: ArraySlice<UInt8>, upTo next: Int, overlong: Int? = nil)
    -> Line
  {
    start = next
    defer { nextLine += 1 }
    return Line(
      bytes: bytes, number: nextLine, end: bufferOffset + UInt64(start), overlong: overlong)
  }

  /// Reads past the line at `start`, longer than ``maxLineLength``, to its newline or the end
  /// of the input, keeping only its first ``keptPrefix`` bytes.
  private mutating func skipOverlong() throws(PipelineError) -> Line {
    let prefix = ArraySlice(buffer[start..<(start + Self.keptPrefix)])
    var length = 0
    while true {
      if let nl = buffer[start...].firstIndex(of: 10) {
        return take(prefix, upTo: nl + 1, overlong: length + nl - start)
      }
      length += buffer.count - start
      start = buffer.count
      if atEOF { return take(prefix, upTo: start, overlong: length) }
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
