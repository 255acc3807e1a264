/// How an embedding's canonical bytes (``EmbeddingCodec``) are stored in a value record.
///
/// Float encodings split each element into its exponent and the rest. The exponents of an
/// embedding's components cluster just below the largest one, so each is coded in 3 bits as its
/// distance below the vector's largest exponent (7 = escape: the exponent follows as a byte).
/// Sign and mantissa bits are noise and are stored packed, uncompressed. This needs no
/// entropy-coder tables, so small vectors decode in well under a microsecond.
///
/// ```
/// u8 mode, then
/// mode 0: the canonical bytes
/// mode 1 (float32, float16, bfloat16): u8 top exponent E; dims 3-bit codes d (exponent = E − d,
///         d = 7: escaped), packed least significant bit first; one byte per escaped exponent, in
///         order; every element's sign and mantissa bits (24, 11 or 8), packed the same way
/// mode 2 (int8): min and scale (8 bytes), then one zstd frame of the codes
/// ```
enum EmbeddingStorage {
  /// Bit layout of a float encoding: exponent position and width, and element width.
  struct FloatLayout {
    let bytes: Int
    let exponentShift: Int
    let exponentBits: Int
    var restBits: Int { bytes * 8 - exponentBits }

    static func of(_ encoding: EmbeddingEncoding) -> FloatLayout? {
      switch encoding {
      case .float32: FloatLayout(bytes: 4, exponentShift: 23, exponentBits: 8)
      case .float16: FloatLayout(bytes: 2, exponentShift: 10, exponentBits: 5)
      case .bfloat16: FloatLayout(bytes: 2, exponentShift: 7, exponentBits: 8)
      case .int8: nil
      }
    }

    @inline(__always)
    func element(_ b: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
      bytes == 4
        ? UInt32(littleEndian: b.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
        : UInt32(UInt16(littleEndian: b.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
    }

    /// (exponent, sign and mantissa) of an element.
    @inline(__always)
    func split(_ e: UInt32) -> (UInt8, UInt32) {
      let lowMask: UInt32 = (1 << exponentShift) - 1
      let exponent = UInt8(truncatingIfNeeded: (e >> exponentShift) & ((1 << exponentBits) - 1))
      let sign = e >> (exponentShift + exponentBits)
      return (exponent, sign << exponentShift | (e & lowMask))
    }

    @inline(__always)
    func join(_ exponent: UInt8, _ rest: UInt32) -> UInt32 {
      let lowMask: UInt32 = (1 << exponentShift) - 1
      let sign = rest >> exponentShift
      return sign << (exponentShift + exponentBits) | UInt32(exponent) << exponentShift
        | (rest & lowMask)
    }
  }

  static let escape: UInt32 = 7

  /// The stored form of canonical bytes: the smaller of raw and the mode for the encoding, and
  /// whether it used `dictionary` (only int8 codes are zstd-compressed).
  static func pack(
    _ canonical: [UInt8], _ encoding: EmbeddingEncoding, zstd: Zstd,
    dictionary: ZstdDictionary? = nil
  )
    -> (bytes: [UInt8], usedDictionary: Bool)
  {
    if let layout = FloatLayout.of(encoding) {
      let packed = packFloats(canonical, layout)
      return packed.count < canonical.count + 1 ? (packed, false) : ([0] + canonical, false)
    }
    if let frame = zstd.compressIfSmaller(Array(canonical[8...]), dictionary: dictionary),
      frame.count < canonical.count - 8
    {
      return ([2] + canonical[..<8] + frame, dictionary != nil)
    }
    return ([0] + canonical, false)
  }

  private static func packFloats(_ canonical: [UInt8], _ layout: FloatLayout) -> [UInt8] {
    let dims = canonical.count / layout.bytes
    var exponents = [UInt8](repeating: 0, count: dims)
    var rest = BitPacker(capacity: (dims * layout.restBits + 7) / 8)
    canonical.withUnsafeBytes { b in
      for i in 0..<dims {
        let (exponent, bits) = layout.split(layout.element(b, i))
        exponents[i] = exponent
        rest.append(bits, width: layout.restBits)
      }
    }
    let top = exponents.max() ?? 0
    var codes = BitPacker(capacity: (3 * dims + 7) / 8)
    var escaped: [UInt8] = []
    for e in exponents {
      let d = UInt32(top - e)
      if d < escape {
        codes.append(d, width: 3)
      } else {
        codes.append(escape, width: 3)
        escaped.append(e)
      }
    }
    return [1, top] + codes.finish() + escaped + rest.finish()
  }

  /// The canonical bytes of a stored form.
  static func unpack(
    _ stored: UnsafeRawBufferPointer, _ encoding: EmbeddingEncoding, dims: Int, zstd: Zstd,
    dictionary: ZstdDictionary? = nil
  ) throws(DecodeError) -> [UInt8] {
    var r = ByteReader(stored)
    let size = EmbeddingCodec.size(encoding, dims: dims)
    switch (try r.byte(), FloatLayout.of(encoding)) {
    case (0, _):
      let body = try r.bytes(r.remaining)
      guard body.count == size else {
        throw DecodeError("embedding has \(body.count) bytes, expected \(size)")
      }
      return Array(body)
    case (1, let layout?):
      return try unpackFloats(&r, layout, dims: dims, size: size)
    case (2, nil):
      let header = Array(try r.bytes(8))
      let codes = try zstd.decompress(try r.bytes(r.remaining), limit: dims, dictionary: dictionary)
      guard codes.count == dims else {
        throw DecodeError("embedding has \(codes.count) codes, expected \(dims)")
      }
      return header + codes
    case (let mode, _):
      throw DecodeError("unknown embedding storage mode \(mode) for \(encoding.rawValue)")
    }
  }

  private static func unpackFloats(
    _ r: inout ByteReader, _ layout: FloatLayout, dims: Int, size: Int
  ) throws(DecodeError)
    -> [UInt8]
  {
    let top = try r.byte()
    var exponents = [UInt8](repeating: 0, count: dims)
    let codeBytes = try r.bytes((3 * dims + 7) / 8)
    // Eight 3-bit codes per 3 bytes; the escaped exponents follow the codes, in order.
    var escapes = 0
    exponents.withUnsafeMutableBufferPointer { x in
      for i in 0..<dims {
        let bit = 3 * i
        let byte = bit >> 3
        var word = UInt32(codeBytes[byte])
        if byte + 1 < codeBytes.count { word |= UInt32(codeBytes[byte + 1]) << 8 }
        let d = (word >> UInt32(bit & 7)) & 7
        escapes += d == escape ? 1 : 0
        x[i] = top &- UInt8(truncatingIfNeeded: d)
      }
    }
    let escaped = try r.bytes(escapes)
    if escapes > 0 {
      var k = 0
      for i in 0..<dims where exponents[i] == top &- UInt8(escape) {
        let bit = 3 * i
        var word = UInt32(codeBytes[bit >> 3])
        if (bit >> 3) + 1 < codeBytes.count { word |= UInt32(codeBytes[(bit >> 3) + 1]) << 8 }
        guard (word >> UInt32(bit & 7)) & 7 == escape else { continue }
        exponents[i] = escaped[k]
        k += 1
      }
    }
    let packed = try r.bytes(r.remaining)
    guard packed.count == (dims * layout.restBits + 7) / 8 else {
      throw DecodeError(
        "embedding mantissas take \(packed.count) bytes, expected \((dims * layout.restBits + 7) / 8)"
      )
    }
    var out = [UInt8](repeating: 0, count: size)
    out.withUnsafeMutableBytes { o in
      exponents.withUnsafeBufferPointer { x in
        switch layout.restBits {
        case 24:  // float32: 3 whole bytes per element
          for i in 0..<dims {
            let rest =
              UInt32(packed[3 * i]) | UInt32(packed[3 * i + 1]) << 8 | UInt32(packed[3 * i + 2])
              << 16
            o.storeBytes(
              of: layout.join(x[i], rest).littleEndian, toByteOffset: 4 * i, as: UInt32.self)
          }
        case 8:  // bfloat16: 1 byte per element
          for i in 0..<dims {
            let e = UInt16(truncatingIfNeeded: layout.join(x[i], UInt32(packed[i])))
            o.storeBytes(of: e.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
          }
        default:  // float16: 11 bits per element, read through 4-byte windows of a padded copy
          let width = layout.restBits
          let mask = UInt32(1) << UInt32(width) - 1
          let padded = Array(packed) + [0, 0, 0, 0]
          padded.withUnsafeBytes { p in
            for i in 0..<dims {
              let bit = width * i
              let window = UInt32(
                littleEndian: p.loadUnaligned(fromByteOffset: bit >> 3, as: UInt32.self))
              let e = UInt16(
                truncatingIfNeeded: layout.join(x[i], (window >> UInt32(bit & 7)) & mask))
              o.storeBytes(of: e.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
            }
          }
        }
      }
    }
    return out
  }
}

/// Packs values of a few bits each into bytes, least significant bit first.
struct BitPacker {
  private(set) var bytes: [UInt8]
  private var buffer: UInt64 = 0
  private var count = 0

  init(capacity: Int) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  @inline(__always)
  mutating func append(_ value: UInt32, width: Int) {
    buffer |= UInt64(value) << UInt64(count)
    count += width
    while count >= 8 {
      bytes.append(UInt8(truncatingIfNeeded: buffer))
      buffer >>= 8
      count -= 8
    }
  }

  mutating func finish() -> [UInt8] {
    if count > 0 { bytes.append(UInt8(truncatingIfNeeded: buffer)) }
    count = 0
    return bytes
  }
}
