/// A value kept in the `values` table (too large to be inline in its chain entry):
/// `u8 flags` (bit0: the rest is one zstd frame), `u32le` CRC-32C of the rest, then the payload
/// or its zstd frame.
enum ValueRecord {
  static let compressed: UInt8 = 1

  /// The record of `payload`, compressed when `zstd` is given and that saves bytes.
  static func encode(_ payload: [UInt8], zstd: Zstd?) -> [UInt8] {
    var w = ByteWriter(capacity: payload.count + 5)
    if let frame = zstd?.compressIfSmaller(payload), frame.count < payload.count {
      w.byte(compressed)
      w.uint32LE(CRC32C.checksum(frame))
      w.append(frame)
    } else {
      w.byte(0)
      w.uint32LE(CRC32C.checksum(payload))
      w.append(payload)
    }
    return w.bytes
  }

  /// The payload, decompressed when needed; at most `limit` bytes.
  static func payload<R>(
    _ record: UnsafeRawBufferPointer, zstd: Zstd, limit: Int,
    _ body: (UnsafeRawBufferPointer) throws -> R
  ) throws -> R {
    var r = ByteReader(record)
    let flags = try r.byte()
    let crc = try r.uint32LE()
    let rest = UnsafeRawBufferPointer(rebasing: record[5...])
    guard CRC32C.checksum(rest) == crc else { throw DecodeError("value record checksum mismatch") }
    switch flags {
    case 0: return try body(rest)
    case compressed: return try zstd.decompress(rest, limit: limit).withUnsafeBytes(body)
    default: throw DecodeError("unknown value record flags \(flags)")
    }
  }
}
