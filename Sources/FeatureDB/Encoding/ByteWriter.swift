/// Appends little-endian integers, LEB128 varints and byte strings to a growing buffer.
struct ByteWriter {
  var bytes: [UInt8]

  init(capacity: Int = 64) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  mutating func byte(_ b: UInt8) { bytes.append(b) }

  /// Unsigned LEB128: 7 bits per byte, low bits first, high bit set on all but the last byte.
  @inline(__always)
  mutating func varint(_ value: UInt64) {
    // Most varints written are one byte: versions, ids, flags-sized counts.
    if value < 0x80 { bytes.append(UInt8(value)) } else { multiByteVarint(value) }
  }

  private mutating func multiByteVarint(_ value: UInt64) {
    var v = value
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  /// Bytes ``varint(_:)`` writes for `value`.
  static func varintSize(_ value: UInt64) -> Int {
    max(1, (64 - value.leadingZeroBitCount + 6) / 7)
  }

  /// Signed values as zigzag (0, -1, 1, -2 … → 0, 1, 2, 3 …) then LEB128.
  mutating func signedVarint(_ value: Int64) {
    varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
  }

  mutating func uint64LE(_ v: UInt64) {
    withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
  }

  mutating func uint32LE(_ v: UInt32) {
    withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) }
  }

  /// A varint length followed by the bytes.
  mutating func lengthPrefixed<C: Collection<UInt8>>(_ data: C) {
    varint(UInt64(data.count))
    bytes.append(contentsOf: data)
  }

  mutating func append<C: Collection<UInt8>>(_ data: C) { bytes.append(contentsOf: data) }
}
