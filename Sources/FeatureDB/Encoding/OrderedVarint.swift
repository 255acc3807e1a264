/// A variable-length unsigned integer whose bytes sort (memcmp) in numeric order, used in keys.
///
/// First byte A0 decides the length:
/// - A0 ≤ 240: the value is A0 (1 byte).
/// - 241 ≤ A0 ≤ 248: value = 240 + 256 × (A0 − 241) + A1 (2 bytes; up to 2,287).
/// - A0 = 249: value = 2,288 + A1..A2 big-endian (3 bytes; up to 67,823).
/// - A0 = 250…255: value = A1… big-endian in 3…8 bytes (A0 − 247 bytes).
enum OrderedVarint {
  static func append(_ v: UInt64, to out: inout [UInt8]) {
    emit(v) { out.append($0) }
  }

  /// Hands the bytes of `v` to `out`, first to last (at most 9).
  @inline(__always)
  static func emit(_ v: UInt64, _ out: (UInt8) -> Void) {
    switch v {
    case 0...240:
      out(UInt8(v))
    case 241...2287:
      let x = v - 240
      out(UInt8(241 + x / 256))
      out(UInt8(x % 256))
    case 2288...67823:
      let x = v - 2288
      out(249)
      out(UInt8(x >> 8))
      out(UInt8(x & 0xff))
    default:
      let n = (64 - v.leadingZeroBitCount + 7) / 8  // 3…8 bytes
      out(UInt8(247 + n))
      for i in stride(from: n - 1, through: 0, by: -1) {
        out(UInt8(truncatingIfNeeded: v >> (8 * i)))
      }
    }
  }

  static func encode(_ v: UInt64) -> [UInt8] {
    var out: [UInt8] = []
    append(v, to: &out)
    return out
  }

  /// Decodes one value from `reader`. Only the encoding ``append(_:to:)`` writes is accepted
  /// (the shortest), so a number has one key and keys sort as their numbers.
  static func read(_ reader: inout ByteReader) throws(DecodeError) -> UInt64 {
    let start = reader.offset
    let a0 = try reader.byte()
    let v: UInt64
    let canonical: Bool
    switch a0 {
    case 0...240: return UInt64(a0)
    case 241...248:
      v = 240 + 256 * UInt64(a0 - 241) + UInt64(try reader.byte())
      canonical = v > 240
    case 249: return 2288 + (UInt64(try reader.byte()) << 8) + UInt64(try reader.byte())
    default:
      let n = Int(a0 - 247)
      var x: UInt64 = 0
      for _ in 0..<n { x = (x << 8) | UInt64(try reader.byte()) }
      v = x
      canonical = v > 67823 && (64 - v.leadingZeroBitCount + 7) / 8 == n
    }
    guard canonical else {
      throw DecodeError("ordered varint at byte \(start) is not in its shortest form")
    }
    return v
  }
}
