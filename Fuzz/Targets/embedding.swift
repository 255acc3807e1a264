// Fuzz target `embedding`: the embedding decoders of every encoding over arbitrary bytes —
// `EmbeddingCodec.decode` (canonical bytes → floats) and `EmbeddingStorage.unpack` (stored form
// → canonical bytes; zstd with or without a dictionary for int8) — and the encoders on vectors
// made from the input.
//
// Input: encoding selector, two bytes of dims, control byte (bit 0: int8 codes compressed with a
// dictionary), then the data: canonical bytes, a stored form and a vector of float32s at once.
//
// Properties: decoding gives exactly dims floats, equal to a reference conversion (Swift's own
// Float16, bit shifts); whatever unpacks has the canonical size and packs and unpacks back to the
// same bytes; a finite vector either encodes or is refused for a component really out of range,
// and encode → pack → unpack → decode stays within the error bound docs/encoding.md states.

@testable import FeatureDB

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  var input = FuzzInput(data, size)
  let encodings = EmbeddingEncoding.allCases
  let encoding = encodings[Int(input.byte()) % encodings.count]
  let dims = 1 + Int(input.uint16() % 1024)
  let dictionary = input.byte() & 1 != 0 ? fuzzDictionary : nil
  let bytes = input.rest
  checkDecode(bytes, encoding)
  if let canonical = try? EmbeddingStorage.unpack(
    bytes, encoding, dims: dims, zstd: fuzzZstd, dictionary: dictionary)
  {
    check(
      canonical.count == EmbeddingCodec.size(encoding, dims: dims),
      "\(encoding) stored form unpacks to \(canonical.count) bytes for \(dims) dims")
    checkStorage(canonical, encoding, dims: dims, dictionary: dictionary)
  }
  checkRoundTrip(vector(bytes), encoding, dictionary: dictionary)
  return 0
}

/// Decodes as many whole components as the bytes hold and compares with a reference conversion.
private func checkDecode(_ bytes: UnsafeRawBufferPointer, _ encoding: EmbeddingEncoding) {
  let dims =
    switch encoding {
    case .float32: bytes.count / 4
    case .float16, .bfloat16: bytes.count / 2
    case .int8: bytes.count - 8
    }
  guard dims >= 0 else { return }
  let canonical = UnsafeRawBufferPointer(
    rebasing: bytes[..<EmbeddingCodec.size(encoding, dims: dims)])
  var out = [Float](repeating: 0, count: dims)
  do {
    try out.withUnsafeMutableBufferPointer {
      try EmbeddingCodec.decode(canonical, encoding, into: $0)
    }
  } catch {
    check(false, "\(encoding) canonical bytes of \(dims) dims do not decode: \(error)")
  }
  for i in 0..<dims {
    let expected: Float? =
      switch encoding {
      case .float32:
        Float(
          bitPattern: UInt32(
            littleEndian: canonical.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
      case .float16:
        Float(
          Float16(
            bitPattern: UInt16(
              littleEndian: canonical.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
      case .bfloat16:
        Float(
          bitPattern: UInt32(
            UInt16(littleEndian: canonical.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            << 16)
      case .int8: nil
      }
    guard let expected else { continue }
    check(
      out[i].bitPattern == expected.bitPattern || (out[i].isNaN && expected.isNaN),
      "\(encoding) component \(i) decodes to \(out[i]), expected \(expected)")
  }
  let wrongSize = [Float](unsafeUninitializedCapacity: dims + 1) { buffer, n in
    n = (try? EmbeddingCodec.decode(canonical, encoding, into: buffer)) == nil ? 0 : dims + 1
  }
  check(
    wrongSize.isEmpty, "\(encoding) canonical bytes of \(dims) dims decode into \(dims + 1) floats")
}

/// Canonical bytes decode to dims floats, and pack then unpack to themselves.
private func checkStorage(
  _ canonical: [UInt8], _ encoding: EmbeddingEncoding, dims: Int, dictionary: ZstdDictionary?
) {
  let floats = [Float](unsafeUninitializedCapacity: dims) { buffer, n in
    n = canonical.withUnsafeBytes {
      (try? EmbeddingCodec.decode($0, encoding, into: buffer)) == nil ? 0 : dims
    }
  }
  check(floats.count == dims, "\(encoding) canonical bytes of \(dims) dims do not decode")
  let (packed, usedDictionary) = EmbeddingStorage.pack(
    canonical, encoding, zstd: fuzzZstd, dictionary: dictionary)
  check(!usedDictionary || dictionary != nil, "pack used a dictionary it was not given")
  let unpacked = packed.withUnsafeBytes {
    try? EmbeddingStorage.unpack(
      $0, encoding, dims: dims, zstd: fuzzZstd, dictionary: usedDictionary ? dictionary : nil)
  }
  check(
    unpacked == canonical,
    "\(encoding) canonical bytes \(canonical) pack to \(packed), which unpacks to \(String(describing: unpacked))"
  )
}

/// The input's bytes as float32s, made finite (an all-ones exponent loses its top bit).
private func vector(_ bytes: UnsafeRawBufferPointer) -> [Float] {
  (0..<bytes.count / 4).map { i in
    var bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))
    if bits & 0x7F80_0000 == 0x7F80_0000 { bits &= ~0x4000_0000 }
    return Float(bitPattern: bits)
  }
}

/// A finite vector: refused only for a component out of the encoding's range, otherwise stored and
/// read back within the stated error bound.
private func checkRoundTrip(
  _ x: [Float], _ encoding: EmbeddingEncoding, dictionary: ZstdDictionary?
) {
  guard !x.isEmpty else { return }
  var canonical: [UInt8] = []
  do {
    try EmbeddingCodec.encode(x, encoding, into: &canonical)
  } catch {
    let outOfRange =
      switch encoding {
      case .float32: false
      case .float16: Float16(error.value).isInfinite
      case .bfloat16: EmbeddingCodec.bfloat16(error.value) & 0x7F80 == 0x7F80
      case .int8: !(x.max()! - x.min()!).isFinite
      }
    check(
      outOfRange,
      "\(encoding) refuses component \(error.component) = \(error.value) (\(error.limit))")
    return
  }
  check(
    canonical.count == EmbeddingCodec.size(encoding, dims: x.count),
    "\(encoding) encodes \(x.count) dims in \(canonical.count) bytes")
  checkStorage(canonical, encoding, dims: x.count, dictionary: dictionary)
  var y = [Float](repeating: 0, count: x.count)
  do {
    try canonical.withUnsafeBytes { c in
      try y.withUnsafeMutableBufferPointer { try EmbeddingCodec.decode(c, encoding, into: $0) }
    }
  } catch {
    check(false, "\(encoding) encoded vector does not decode: \(error)")
  }
  let (lo, hi) = (Double(x.min()!), Double(x.max()!))
  // A scale below float32's normal range is itself rounded to a multiple of 2⁻¹⁴⁹, which codes up
  // to 255 multiply: up to 2⁻¹⁴² more (docs/encoding.md).
  let scaleRounding = (hi - lo) / 255 < Double(Float.leastNormalMagnitude) ? 0x1p-142 : 0
  for (a, b) in zip(x, y) {
    let error = abs(Double(a) - Double(b))
    let bound: Double =
      switch encoding {
      case .float32: 0
      // Half an ulp: relative 2⁻¹¹ in the normal range, 2⁻²⁵ among subnormals.
      case .float16: max(abs(Double(a)) * 0x1p-11, 0x1p-25)
      // Half an ulp: relative 2⁻⁸ in the normal range, 2⁻¹³⁴ among subnormals.
      case .bfloat16: max(abs(Double(a)) * 0x1p-8, 0x1p-134)
      // (max − min)/510, plus float32 rounding of min + q·scale: 1 ulp of the largest component.
      case .int8: (hi - lo) / 510 + Double(max(abs(x.min()!), abs(x.max()!)).ulp) + scaleRounding
      }
    check(
      error <= bound && b.isFinite,
      "\(encoding) component \(a) reads back as \(b), error \(error) > bound \(bound)")
  }
}
