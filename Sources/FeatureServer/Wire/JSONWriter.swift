import Hummingbird

/// Compact JSON written as bytes, with the rules of FDBCLI's `JSON.compact` (strings escaped
/// alike, numbers as Swift prints them), so an answer is byte for byte the text the `JSON`
/// tree would render, without building the tree or the text. The bytes go into an array with
/// room made ahead, each piece copied in with one `memmove` (an answer is a few hundred
/// pieces of a few bytes: `Array.append(contentsOf:)` cost about half as much again per piece,
/// more when the compiler did not inline its copy), and into a `ByteBuffer` once, at the end.
struct JSONWriter: TextOutputStream {
  /// The bytes written, then room (zeros) for more.
  private var storage: [UInt8]
  /// How many bytes are written.
  private var count = 0

  /// A writer with room for `capacity` bytes (it grows as needed).
  init(capacity: Int) {
    storage = [UInt8](repeating: 0, count: max(capacity, 16))
  }

  /// What has been written.
  var bytes: [UInt8] { Array(storage[..<count]) }

  /// The bytes written, in a buffer to send.
  var buffer: ByteBuffer { ByteBuffer(bytes: storage[..<count]) }

  /// Writes JSON syntax or already-escaped text as it is: `{"values":[`.
  mutating func raw(_ text: StaticString) {
    raw(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  /// Writes bytes as they are (text already escaped, like a time `FeastValue` formatted).
  mutating func raw(_ text: UnsafeBufferPointer<UInt8>) {
    let n = text.count
    guard n > 0, let source = text.baseAddress else { return }
    makeRoom(n)
    let at = count
    storage.withUnsafeMutableBufferPointer { room in
      precondition(room.count - at >= n)  // makeRoom left n bytes after `at`; checked all the same
      (room.baseAddress! + at).update(from: source, count: n)
    }
    count += n
  }

  /// Writes JSON text written before (by another writer) as it is.
  mutating func raw(_ text: [UInt8]) {
    text.withUnsafeBufferPointer { raw($0) }
  }

  /// Writes one byte.
  private mutating func put(_ byte: UInt8) {
    makeRoom(1)
    storage[count] = byte
    count += 1
  }

  /// Grows the storage (at least doubling it) when fewer than `n` bytes of room are left.
  private mutating func makeRoom(_ n: Int) {
    if storage.count - count < n {
      storage.append(contentsOf: repeatElement(0, count: max(n, storage.count)))
    }
  }

  /// Writes `null`.
  mutating func null() { raw("null") }

  /// Writes `true` or `false`.
  mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

  /// Writes an integer in decimal.
  mutating func int(_ value: Int64) {
    if value < 0 { raw("-") }
    // Digits from the last into a stack buffer (a UInt64 has at most 20): no String is made.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
      var rest = value.magnitude
      var start = digits.count
      repeat {
        start -= 1
        digits[start] = UInt8(ascii: "0") + UInt8(rest % 10)
        rest /= 10
      } while rest > 0
      raw(UnsafeBufferPointer(rebasing: digits[start...]))
    }
  }

  /// Writes a finite `Double` as Swift prints it (`0.5`, `1.0`, `1e-07`); the caller decides
  /// what a NaN or an infinity becomes.
  mutating func double(_ value: Double) {
    precondition(value.isFinite, "JSON has no NaN or infinity")
    value.write(to: &self)  // Swift's shortest round-trip digits, handed over by _writeASCII
  }

  /// Writes a string, quoted and escaped as `JSON` escapes it: `"` and `\` with a backslash,
  /// newline, return and tab as `\n`, `\r`, `\t`, other control characters and DEL as
  /// `\u00XX`; everything else (UTF-8 included) as it is.
  mutating func string(_ value: String) {
    raw("\"")
    var value = value
    value.withUTF8 { utf8 in
      var start = 0  // the first byte not written yet
      for i in utf8.indices {
        let byte = utf8[i]
        guard byte < 0x20 || byte == 0x22 || byte == 0x5c || byte == 0x7f else { continue }
        raw(UnsafeBufferPointer(rebasing: utf8[start..<i]))
        escape(byte)
        start = i + 1
      }
      raw(UnsafeBufferPointer(rebasing: utf8[start...]))
    }
    raw("\"")
  }

  private mutating func escape(_ byte: UInt8) {
    switch byte {
    case 0x22: raw(#"\""#)
    case 0x5c: raw(#"\\"#)
    case 0x0a: raw(#"\n"#)
    case 0x0d: raw(#"\r"#)
    case 0x09: raw(#"\t"#)
    default:
      func hex(_ digit: UInt8) -> UInt8 { digit < 10 ? 0x30 + digit : 0x61 - 10 + digit }
      raw(#"\u00"#)
      put(hex(byte >> 4))
      put(hex(byte & 0xf))
    }
  }

  /// Appends text (`TextOutputStream`).
  mutating func write(_ string: String) {
    var string = string
    string.withUTF8 { raw($0) }
  }

  /// Appends ASCII text from the standard library's number printing (`TextOutputStream`'s
  /// hook: a `Double` hands its digits over from a stack buffer, with no String made).
  mutating func _writeASCII(_ text: UnsafeBufferPointer<UInt8>) {
    raw(text)
  }
}
