import Foundation

/// Reads RFC 4180 CSV records from a file descriptor in bounded memory: fields separated by
/// commas, records by LF or CRLF, fields optionally in double quotes with `""` for a quote.
/// Text must be UTF-8 (a leading byte-order mark is skipped).
struct CSVReader {
  let name: String
  private let fd: Int32
  private let chunkSize: Int
  private var buffer: [UInt8] = []
  /// Where `read` puts bytes before they join `buffer`.
  private var chunk: [UInt8] = []
  private var position = 0
  private var atEOF = false
  /// Physical line number of the next byte.
  private var currentLine = 1
  /// The line the last record returned started on.
  private(set) var line = 0
  private var first = true

  /// Reads from `fd` (not closed by the reader) `chunkSize` bytes at a time; `name` appears in
  /// errors.
  init(fd: Int32, name: String, chunkSize: Int = 1 << 16) {
    self.fd = fd
    self.name = name
    self.chunkSize = chunkSize
  }

  private mutating func refill() throws(CSVError) -> Bool {
    if atEOF { return false }
    if position > 0 {
      buffer.removeFirst(position)
      position = 0
    }
    if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: chunkSize) }
    let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
    guard n >= 0 else {
      throw CSVError(
        file: name, line: currentLine, column: nil,
        message: "read failed: \(String(cString: strerror(errno)))")
    }
    buffer.append(contentsOf: chunk[0..<n])
    if n == 0 { atEOF = true }
    return n > 0
  }

  private mutating func peek() throws(CSVError) -> UInt8? {
    if position >= buffer.count, !(try refill()) { return nil }
    return buffer[position]
  }

  /// The next record's fields, or nil at the end of the input. An empty line is a record with one
  /// empty field.
  mutating func next() throws(CSVError) -> [String]? {
    if first {
      first = false
      while buffer.count - position < 3, try refill() {}
      if buffer.count - position >= 3, buffer[position] == 0xEF, buffer[position + 1] == 0xBB,
        buffer[position + 2] == 0xBF
      {
        position += 3
      }
    }
    guard try peek() != nil else { return nil }
    line = currentLine
    var fields: [String] = []
    var field: [UInt8] = []
    while true {
      field.removeAll(keepingCapacity: true)
      var quoted = false
      if try peek() == UInt8(ascii: "\"") {
        quoted = true
        position += 1
        while true {
          guard let c = try peek() else {
            throw CSVError(
              file: name, line: line, column: fields.count + 1, message: "unterminated quoted field"
            )
          }
          position += 1
          if c == UInt8(ascii: "\"") {
            if try peek() == UInt8(ascii: "\"") {
              position += 1
              field.append(c)
            } else {
              break
            }
          } else {
            if c == UInt8(ascii: "\n") { currentLine += 1 }
            field.append(c)
          }
        }
      }
      // After a field: comma, end of record, or (unquoted) more field bytes.
      var endOfRecord = false
      while true {
        guard let c = try peek() else {
          endOfRecord = true
          break
        }
        if c == UInt8(ascii: ",") {
          position += 1
          break
        }
        if c == UInt8(ascii: "\n") {
          position += 1
          currentLine += 1
          endOfRecord = true
          break
        }
        if c == UInt8(ascii: "\r") {
          position += 1
          if try peek() == UInt8(ascii: "\n") {
            position += 1
            currentLine += 1
            endOfRecord = true
            break
          }
          if quoted {
            throw CSVError(
              file: name, line: line, column: fields.count + 1,
              message: "stray carriage return after a quoted field")
          }
          field.append(c)
          continue
        }
        if quoted {
          throw CSVError(
            file: name, line: line, column: fields.count + 1,
            message: "text after the closing quote of a field")
        }
        if c == UInt8(ascii: "\"") {
          throw CSVError(
            file: name, line: line, column: fields.count + 1,
            message: "a quote inside an unquoted field (quote the whole field and double the quote)"
          )
        }
        position += 1
        field.append(c)
      }
      guard let text = String(validating: field, as: UTF8.self) else {
        throw CSVError(
          file: name, line: line, column: fields.count + 1, message: "the field is not valid UTF-8")
      }
      fields.append(text)
      if endOfRecord { return fields }
    }
  }
}
