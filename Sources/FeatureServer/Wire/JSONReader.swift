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
    out.reserveCapacity(32)  // a read's feature list, in one allocation
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
        guard let number = reader.number() else { return false }
        numbers.append(number.value)
        return true
      }
      return read ? .numbers(numbers) : nil
    default:
      guard let number = number() else { return nil }
      if number.whole { return number.integer.map(JSONCell.int) }
      guard number.value.rounded() != number.value else { return nil }
      return .double(number.value)
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

  /// A JSON number: its value, whether it is written as an integer (no fraction, no exponent)
  /// and, when it is, its value as an `Int64` (nil past `Int64`). Read from the bytes: a number
  /// of at most 2⁵³ in its digits scaled by at most 10²² is exact in a `Double` and so is the
  /// scaling, one rounding (Clinger's fast path); any other goes through the text to `Double`.
  private mutating func number() -> (value: Double, integer: Int64?, whole: Bool)? {
    skipSpace()
    let start = at
    let negative = consume(UInt8(ascii: "-"), skippingSpace: false)
    var mantissa: UInt64 = 0  // the digits read, while they fit (`exact`)
    var exact = true
    var scale = 0  // the number is mantissa × 10^scale
    let first = at
    let integerDigits = digits(&mantissa, &exact)
    guard integerDigits > 0 else { return nil }
    if bytes[first] == UInt8(ascii: "0"), integerDigits > 1 { return nil }  // a leading zero
    var whole = true
    if consume(UInt8(ascii: "."), skippingSpace: false) {
      whole = false
      let fractionDigits = digits(&mantissa, &exact)
      guard fractionDigits > 0 else { return nil }
      scale -= fractionDigits
    }
    if consume(UInt8(ascii: "e"), skippingSpace: false)
      || consume(UInt8(ascii: "E"), skippingSpace: false)
    {
      whole = false
      let down =
        !consume(UInt8(ascii: "+"), skippingSpace: false)
        && consume(UInt8(ascii: "-"), skippingSpace: false)
      let digits = at
      var exponent = 0
      while at < bytes.count, case let digit = bytes[at] &- UInt8(ascii: "0"), digit < 10 {
        exponent = min(exponent * 10 + Int(digit), 100_000)  // past it, only the text path
        at += 1
      }
      guard at > digits else { return nil }
      scale += down ? -exponent : exponent
    }
    var integer: Int64?
    if whole && exact {
      integer =
        negative
        ? (mantissa <= 1 << 63 ? Int64(bitPattern: 0 &- mantissa) : nil)
        : (mantissa <= UInt64(Int64.max) ? Int64(mantissa) : nil)
    }
    if exact, mantissa <= 1 << 53, scale >= -22, scale <= 22 {
      let magnitude =
        scale < 0
        ? Double(mantissa) / Self.powersOfTen[-scale] : Double(mantissa) * Self.powersOfTen[scale]
      return (negative ? -magnitude : magnitude, integer, whole)
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<at]), as: UTF8.self)
    guard let value = Double(text) else { return nil }
    return (value, integer, whole)
  }

  /// Reads over digits, appending each to `mantissa` while it fits (`exact` turns false at the
  /// first that does not); returns how many were read.
  private mutating func digits(_ mantissa: inout UInt64, _ exact: inout Bool) -> Int {
    let start = at
    while at < bytes.count, case let digit = bytes[at] &- UInt8(ascii: "0"), digit < 10 {
      exact = exact && mantissa <= (UInt64.max - 9) / 10
      mantissa = exact ? mantissa * 10 + UInt64(digit) : mantissa
      at += 1
    }
    return at - start
  }

  /// 10⁰ … 10²², each exact in a `Double`.
  private static let powersOfTen: [Double] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
  ]

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
