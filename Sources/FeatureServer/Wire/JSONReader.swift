import Hummingbird

/// Reads JSON straight from a body's bytes, for the shapes of Feast's request bodies: objects,
/// lists of strings, and columns of cells (``JSONCell``).
///
/// It reads only what it can read exactly as `JSONDecoder` does, and gives up (nil) on
/// anything else: malformed JSON, a string with an escape, a scalar number that is whole but
/// written with a fraction or an exponent (which `JSONDecoder` may read as an integer), an
/// integer past `Int64`, a key given twice, a value of another type than expected, nesting.
/// The body then goes to `JSONDecoder`, which decodes it or words the error; so no answer
/// changes, only the time the common bodies take (``ReaderDecodable``).
struct JSONReader {
  /// The body's bytes; valid only inside ``read(_:_:)``, which lends the reader.
  private let bytes: UnsafeBufferPointer<UInt8>
  /// The next byte to read.
  private var at = 0

  private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

  /// What `body` reads from `buffer`, nil when it gives up or leaves more than whitespace.
  static func read<R>(_ buffer: ByteBuffer, _ body: (inout JSONReader) -> R?) -> R? {
    buffer.withUnsafeReadableBytes { raw in
      var reader = JSONReader(raw.assumingMemoryBound(to: UInt8.self))
      guard let value = body(&reader) else { return nil }
      reader.skipSpace()
      return reader.at == reader.bytes.count ? value : nil
    }
  }

  // MARK: - Structure

  /// Reads an object, handing each key to `field`, which reads its value (false: give up).
  /// A key given twice gives up.
  mutating func object(_ field: (inout JSONReader, String) -> Bool) -> Bool {
    guard consume(UInt8(ascii: "{")) else { return false }
    if consume(UInt8(ascii: "}")) { return true }
    var keys: [String] = []
    repeat {
      guard let key = string(), !keys.contains(key), consume(UInt8(ascii: ":")),
        field(&self, key)
      else { return false }
      keys.append(key)
    } while consume(UInt8(ascii: ","))
    return consume(UInt8(ascii: "}"))
  }

  /// Reads a list, calling `element` for each element (false: give up).
  mutating func list(_ element: (inout JSONReader) -> Bool) -> Bool {
    guard consume(UInt8(ascii: "[")) else { return false }
    if consume(UInt8(ascii: "]")) { return true }
    repeat {
      guard element(&self) else { return false }
    } while consume(UInt8(ascii: ","))
    return consume(UInt8(ascii: "]"))
  }

  // MARK: - Values

  /// A string without escapes or control characters, of valid UTF-8.
  mutating func string() -> String? {
    guard consume(UInt8(ascii: "\"")) else { return nil }
    let start = at
    var ascii = true
    while at < bytes.count {
      let byte = bytes[at]
      if byte == UInt8(ascii: "\"") {
        at += 1
        let text = UnsafeBufferPointer(rebasing: bytes[start..<at - 1])
        // ASCII is valid UTF-8 as it is; anything else is checked (invalid: give up).
        return ascii
          ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
      }
      if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
      ascii = ascii && byte < 0x80
      at += 1
    }
    return nil
  }

  /// A list of strings.
  mutating func strings() -> [String]? {
    var out: [String] = []
    let read = list { reader in
      guard let s = reader.string() else { return false }
      out.append(s)
      return true
    }
    return read ? out : nil
  }

  /// Columns of cells by name (Feast's `entities` and `df`).
  mutating func columns() -> [String: [JSONCell]]? {
    var out: [String: [JSONCell]] = [:]
    let read = object { reader, key in
      var cells: [JSONCell] = []
      let column = reader.list { reader in
        guard let cell = reader.cell() else { return false }
        cells.append(cell)
        return true
      }
      out[key] = cells
      return column
    }
    return read ? out : nil
  }

  /// `true` or `false`.
  mutating func bool() -> Bool? {
    if literal("true") { return true }
    if literal("false") { return false }
    return nil
  }

  /// A cell as ``JSONCell`` decodes it: `null`, a Boolean, an integer (`.int`), a number that
  /// is not whole (`.double`), a string, or a list of numbers.
  mutating func cell() -> JSONCell? {
    skipSpace()
    guard at < bytes.count else { return nil }
    switch bytes[at] {
    case UInt8(ascii: "n"): return literal("null") ? .null : nil
    case UInt8(ascii: "t"), UInt8(ascii: "f"): return bool().map(JSONCell.bool)
    case UInt8(ascii: "\""): return string().map(JSONCell.string)
    case UInt8(ascii: "["):
      var numbers: [Double] = []
      let read = list { reader in
        guard let (text, _) = reader.number(), let d = Double(text) else { return false }
        numbers.append(d)
        return true
      }
      return read ? .numbers(numbers) : nil
    default:
      guard let (text, whole) = number() else { return nil }
      if whole { return Int64(text).map(JSONCell.int) }
      guard let d = Double(text), d.rounded() != d else { return nil }
      return .double(d)
    }
  }

  /// Reads over a value that is not an object or a list (a field the body may carry and
  /// `Decodable` ignores, like Feast's `include_feature_view_version_metadata`).
  mutating func skipScalar() -> Bool {
    switch cell() {
    case nil, .numbers?: false
    default: true
    }
  }

  /// A JSON number's text, and whether it is written as an integer (no fraction, no exponent).
  private mutating func number() -> (String, whole: Bool)? {
    skipSpace()
    let start = at
    var whole = true
    _ = consume(UInt8(ascii: "-"), skippingSpace: false)
    let first = at
    guard digits() else { return nil }
    if bytes[first] == UInt8(ascii: "0"), at - first > 1 { return nil }  // a leading zero
    if consume(UInt8(ascii: "."), skippingSpace: false) {
      whole = false
      guard digits() else { return nil }
    }
    if consume(UInt8(ascii: "e"), skippingSpace: false)
      || consume(UInt8(ascii: "E"), skippingSpace: false)
    {
      whole = false
      _ =
        consume(UInt8(ascii: "+"), skippingSpace: false)
        || consume(UInt8(ascii: "-"), skippingSpace: false)
      guard digits() else { return nil }
    }
    return (
      String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self), whole
    )
  }

  /// Reads over one digit or more.
  private mutating func digits() -> Bool {
    let start = at
    while at < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[at]) {
      at += 1
    }
    return at > start
  }

  // MARK: - Bytes

  private mutating func skipSpace() {
    while at < bytes.count {
      switch bytes[at] {
      case 0x20, 0x0a, 0x0d, 0x09: at += 1  // space, newline, return, tab
      default: return
      }
    }
  }

  /// Reads over `byte` (after whitespace, unless told not to) when it is next.
  private mutating func consume(_ byte: UInt8, skippingSpace: Bool = true) -> Bool {
    if skippingSpace { skipSpace() }
    guard at < bytes.count, bytes[at] == byte else { return false }
    at += 1
    return true
  }

  /// Reads over `word` when it is next.
  private mutating func literal(_ word: StaticString) -> Bool {
    skipSpace()
    let count = word.utf8CodeUnitCount
    guard bytes.count - at >= count,
      word.withUTF8Buffer({ $0.elementsEqual(bytes[at..<at + count]) })
    else { return false }
    at += count
    return true
  }
}
