import Foundation

/// RFC 4180 CSV records as ``CSVWriter`` writes them, for output written elsewhere.
public enum CSVRecord {
  /// One record with its line end: fields quoted only where needed.
  public static func text(_ fields: [String]) -> String {
    var bytes: [UInt8] = []
    CSVWriter.append(record: fields, to: &bytes)
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// Writes RFC 4180 CSV to a file descriptor through a buffer: comma-separated, LF line ends, a
/// field quoted only when it holds a comma, quote, CR or LF (quotes doubled inside), or starts
/// with U+FEFF (a reader would take it for a byte-order mark at the start of the file).
struct CSVWriter {
  private let fd: Int32
  private var buffer: [UInt8] = []
  private let capacity = 1 << 18

  init(fd: Int32) {
    self.fd = fd
    buffer.reserveCapacity(capacity + 4096)
  }

  mutating func write<S: Sequence<String>>(record fields: S) throws {
    CSVWriter.append(record: fields, to: &buffer)
    if buffer.count >= capacity { try flush() }
  }

  /// Appends one record, with its line end, to `buffer`.
  static func append<S: Sequence<String>>(record fields: S, to buffer: inout [UInt8]) {
    var first = true
    for field in fields {
      if !first { buffer.append(UInt8(ascii: ",")) }
      first = false
      append(field, to: &buffer)
    }
    buffer.append(UInt8(ascii: "\n"))
  }

  private static func append(_ field: String, to buffer: inout [UInt8]) {
    var needsQuotes = field.utf8.starts(with: [0xEF, 0xBB, 0xBF])
    for c in field.utf8
    where c == UInt8(ascii: ",") || c == UInt8(ascii: "\"") || c == 10 || c == 13 {
      needsQuotes = true
      break
    }
    guard needsQuotes else {
      buffer.append(contentsOf: field.utf8)
      return
    }
    buffer.append(UInt8(ascii: "\""))
    for c in field.utf8 {
      if c == UInt8(ascii: "\"") { buffer.append(c) }
      buffer.append(c)
    }
    buffer.append(UInt8(ascii: "\""))
  }

  mutating func flush() throws {
    try CSVWriter.write(buffer, to: fd)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes `bytes` (CSV already encoded) to `fd` whole.
  static func write(_ bytes: [UInt8], to fd: Int32) throws {
    var offset = 0
    while offset < bytes.count {
      let n = bytes.withUnsafeBytes {
        Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset)
      }
      guard n > 0 else {
        // A full disk is a runtime failure (exit 1), not a usage error.
        let code = n == 0 ? ENOSPC : errno
        if code == ENOSPC || code == EDQUOT {
          throw FeatureDBError.noSpace(path: "the CSV output", operation: "export")
        }
        throw FeatureDBError.storage(
          operation: "writing the CSV output", code: LMDBError(rawValue: code))
      }
      offset += n
    }
  }
}
