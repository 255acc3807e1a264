/// A value kept in the `values` table (too large to be inline in its chain entry):
/// `u8 flags` (bit0: the rest is one zstd frame), then the payload or its zstd frame.
enum ValueRecord {
  static let compressed: UInt8 = 1

  static func encode(_ payload: [UInt8], zstd: Zstd) -> [UInt8] {
    if let frame = zstd.compressIfSmaller(payload), frame.count + 1 < payload.count {
      return [compressed] + frame
    }
    return [0] + payload
  }

  /// The payload, decompressed when needed; at most `limit` bytes.
  static func payload<R>(
    _ record: UnsafeRawBufferPointer, zstd: Zstd, limit: Int,
    _ body: (UnsafeRawBufferPointer) throws -> R
  ) throws -> R {
    guard let flags = record.first else { throw DecodeError("empty value record") }
    let rest = UnsafeRawBufferPointer(rebasing: record[1...])
    switch flags {
    case 0: return try body(rest)
    case compressed: return try zstd.decompress(rest, limit: limit).withUnsafeBytes(body)
    default: throw DecodeError("unknown value record flags \(flags)")
    }
  }
}
