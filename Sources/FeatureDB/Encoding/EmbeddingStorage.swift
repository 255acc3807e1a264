/// How an embedding's canonical bytes (``EmbeddingCodec``) are stored in a value record:
/// split into byte planes (byte k of every element together), which groups the predictable
/// sign/exponent bytes, then zstd where it pays.
///
/// ```
/// u8 mode, [8 header bytes: int8 min and scale], body
/// mode 0: the elements as canonical bytes
/// mode 1: one zstd frame of all planes, most significant plane first
/// mode 2: varint n, a zstd frame (n bytes) of the upper half of the planes, then the lower
///         planes raw (float32: mantissa bytes are noise; compressing them only costs time)
/// ```
enum EmbeddingStorage {
  static func headerSize(_ encoding: EmbeddingEncoding) -> Int { encoding == .int8 ? 8 : 0 }
  static func elementWidth(_ encoding: EmbeddingEncoding) -> Int {
    switch encoding {
    case .float32: 4
    case .float16, .bfloat16: 2
    case .int8: 1
    }
  }

  /// The stored form of canonical bytes: the smallest of the modes.
  static func pack(_ canonical: [UInt8], _ encoding: EmbeddingEncoding, zstd: Zstd) -> [UInt8] {
    let header = headerSize(encoding)
    let width = elementWidth(encoding)
    let planes = shuffle(canonical[header...], width: width)
    var best = [0] + canonical
    if width > 1 || encoding == .int8, let frame = zstd.compressIfSmaller(planes), 1 + header + frame.count < best.count {
      best = [1] + canonical[..<header] + frame
    }
    // Planes are most significant first; mode 2 compresses the upper half only.
    if width == 4 {
      let half = planes.count / 2
      if let frame = zstd.compressIfSmaller(Array(planes[..<half])) {
        var w = ByteWriter(capacity: 1 + header + frame.count + half + 3)
        w.byte(2)
        w.append(canonical[..<header])
        w.lengthPrefixed(frame)
        w.append(planes[half...])
        if w.bytes.count < best.count { best = w.bytes }
      }
    }
    return best
  }

  /// The canonical bytes of a stored form.
  static func unpack(
    _ stored: UnsafeRawBufferPointer, _ encoding: EmbeddingEncoding, dims: Int, zstd: Zstd
  ) throws(DecodeError) -> [UInt8] {
    var r = ByteReader(stored)
    let mode = try r.byte()
    let header = headerSize(encoding)
    let width = elementWidth(encoding)
    let headerBytes = try r.bytes(header)
    let bodySize = dims * width
    switch mode {
    case 0:
      let body = try r.bytes(r.remaining)
      guard body.count == bodySize else { throw DecodeError("embedding body has \(body.count) bytes, expected \(bodySize)") }
      return Array(headerBytes) + Array(body)
    case 1:
      let planes = try zstd.decompress(try r.bytes(r.remaining), limit: bodySize)
      guard planes.count == bodySize else { throw DecodeError("embedding planes have \(planes.count) bytes, expected \(bodySize)") }
      return Array(headerBytes) + unshuffle(planes, width: width)
    case 2 where width == 4:
      let upper = try zstd.decompress(try r.lengthPrefixed(), limit: bodySize / 2)
      let lower = try r.bytes(r.remaining)
      guard upper.count == bodySize / 2, lower.count == bodySize / 2 else {
        throw DecodeError("embedding planes have \(upper.count) + \(lower.count) bytes, expected \(bodySize)")
      }
      return Array(headerBytes) + unshuffle(upper + Array(lower), width: width)
    default:
      throw DecodeError("unknown embedding storage mode \(mode)")
    }
  }

  /// Byte planes of `width`-byte little-endian elements, most significant plane first.
  static func shuffle(_ bytes: ArraySlice<UInt8>, width: Int) -> [UInt8] {
    guard width > 1 else { return Array(bytes) }
    let n = bytes.count / width
    return [UInt8](unsafeUninitializedCapacity: bytes.count) { out, count in
      bytes.withUnsafeBufferPointer { b in
        for plane in 0..<width {
          let byte = width - 1 - plane
          for i in 0..<n { out[plane * n + i] = b[i * width + byte] }
        }
      }
      count = bytes.count
    }
  }

  /// The inverse of ``shuffle(_:width:)``.
  static func unshuffle(_ planes: [UInt8], width: Int) -> [UInt8] {
    guard width > 1 else { return planes }
    let n = planes.count / width
    return [UInt8](unsafeUninitializedCapacity: planes.count) { out, count in
      planes.withUnsafeBufferPointer { p in
        for plane in 0..<width {
          let byte = width - 1 - plane
          for i in 0..<n { out[i * width + byte] = p[plane * n + i] }
        }
      }
      count = planes.count
    }
  }
}
