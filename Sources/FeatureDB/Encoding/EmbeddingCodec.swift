/// The per-element codecs of embedding encodings, between `Float` vectors and their canonical
/// bytes (little-endian):
///
/// | encoding | canonical bytes | error |
/// | --- | --- | --- |
/// | float32 | 4 × dims, IEEE binary32 | none |
/// | float16 | 2 × dims, IEEE binary16, round to nearest even | relative ≤ 2⁻¹¹ in the normal range |
/// | bfloat16 | 2 × dims, top half of binary32, round to nearest even | relative ≤ 2⁻⁸ |
/// | int8 | f32 min, f32 scale, then dims codes q: x̂ = min + q × scale | ≤ (max − min) / 510 (+ float rounding) |
///
/// Loops are branch-free over plain buffers so the optimizer vectorizes them.
enum EmbeddingCodec {
  /// Size of the canonical bytes.
  static func size(_ encoding: EmbeddingEncoding, dims: Int) -> Int {
    switch encoding {
    case .float32: 4 * dims
    case .float16, .bfloat16: 2 * dims
    case .int8: 8 + dims
    }
  }

  /// Why a vector cannot be encoded: the first component out of the encoding's range.
  struct RangeError: Error {
    let component: Int
    let value: Float
    let limit: String
  }

  /// Appends the canonical bytes of `v` (finite components) to `out`.
  static func encode(_ v: [Float], _ encoding: EmbeddingEncoding, into out: inout [UInt8])
    throws(RangeError)
  {
    let start = out.count
    out.append(contentsOf: repeatElement(0, count: size(encoding, dims: v.count)))
    var failure: RangeError?
    out.withUnsafeMutableBytes { raw in
      let o = UnsafeMutableRawBufferPointer(rebasing: raw[start...])
      v.withUnsafeBufferPointer { x in
        switch encoding {
        case .float32:
          for i in 0..<x.count {
            o.storeBytes(of: x[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
          }
        case .float16:
          for i in 0..<x.count {
            let h = Float16(x[i])
            if h.isInfinite, failure == nil {
              failure = RangeError(component: i, value: x[i], limit: "float16's range ±65504")
            }
            o.storeBytes(of: h.bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
          }
        case .bfloat16:
          for i in 0..<x.count {
            let h = bfloat16(x[i])
            if h & 0x7F80 == 0x7F80, failure == nil {
              failure = RangeError(component: i, value: x[i], limit: "bfloat16's range ±3.3895e38")
            }
            o.storeBytes(of: h.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
          }
        case .int8:
          let (lo, hi) = x.reduce((Float.infinity, -Float.infinity)) {
            (min($0.0, $1), max($0.1, $1))
          }
          let scale = x.isEmpty || hi == lo ? 0 : (hi - lo) / 255
          if !scale.isFinite {
            failure = RangeError(
              component: 0, value: hi - lo, limit: "int8's span (max − min ≤ 3.4e38)")
          }
          o.storeBytes(
            of: (x.isEmpty ? 0 : lo).bitPattern.littleEndian, toByteOffset: 0, as: UInt32.self)
          o.storeBytes(of: scale.bitPattern.littleEndian, toByteOffset: 4, as: UInt32.self)
          // The grid point nearest to x in exact arithmetic, computed in Double so that neither
          // float rounding nor a subnormal scale can pick a neighbour: the decoder's Float
          // lo + q × scale then errs by at most scale / 2 plus its own rounding.
          let low = Double(lo)
          let inverse = scale == 0 ? 0 : 1 / Double(scale)
          for i in 0..<x.count {
            // x − lo ≥ 0, so truncating after adding ½ rounds (no call to round).
            let q = Int32((Double(x[i]) - low) * inverse + 0.5)
            o[8 + i] = UInt8(min(255, q))
          }
        }
      }
    }
    if let failure { throw failure }
  }

  /// bfloat16 bits of `x`, rounded to nearest even (NaN stays NaN).
  @inline(__always)
  static func bfloat16(_ x: Float) -> UInt16 {
    let u = x.bitPattern
    return UInt16(truncatingIfNeeded: (u &+ 0x7FFF &+ ((u >> 16) & 1)) >> 16)
  }

  /// Decodes canonical bytes into `out` (exactly `dims` floats).
  static func decode(
    _ bytes: UnsafeRawBufferPointer, _ encoding: EmbeddingEncoding,
    into out: UnsafeMutableBufferPointer<Float>
  ) throws(DecodeError) {
    let dims = out.count
    guard bytes.count == size(encoding, dims: dims) else {
      throw DecodeError(
        "\(encoding.rawValue) embedding has \(bytes.count) bytes, expected \(size(encoding, dims: dims))"
      )
    }
    switch encoding {
    case .float32:
      for i in 0..<dims {
        out[i] = Float(
          bitPattern: UInt32(
            littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
      }
    case .float16:
      for i in 0..<dims {
        out[i] = halfToFloat(
          UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
      }
    case .bfloat16:
      for i in 0..<dims {
        out[i] = Float(
          bitPattern: UInt32(
            UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16
        )
      }
    case .int8:
      let lo = Float(
        bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)))
      let scale = Float(
        bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
      for i in 0..<dims { out[i] = lo + Float(bytes[8 + i]) * scale }
    }
  }

  /// IEEE binary16 → binary32, exact, branch-free for finite values: the exponent and mantissa
  /// are shifted into place and rescaled by 2¹¹² (which also turns subnormals into normals).
  @inline(__always)
  static func halfToFloat(_ h: UInt16) -> Float {
    let magnitude = UInt32(h & 0x7FFF)
    let sign = UInt32(h & 0x8000) << 16
    var f = Float(bitPattern: magnitude << 13) * Float(bitPattern: 0x7780_0000)
    if magnitude >= 0x7C00 { f = Float(bitPattern: 0x7F80_0000 | (magnitude & 0x3FF) << 13) }  // Inf, NaN
    return Float(bitPattern: f.bitPattern | sign)
  }
}
