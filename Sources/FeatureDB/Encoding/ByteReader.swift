/// A malformed byte string (from disk or input); the caller adds which record it was.
struct DecodeError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// Reads what ``ByteWriter`` writes, checking bounds on every read.
///
/// Works on a buffer lent by LMDB or an array; never reads outside `buffer`.
struct ByteReader {
  let buffer: UnsafeRawBufferPointer
  private(set) var offset: Int
  /// `buffer`'s start and length, kept apart so that a read checks one bound: the buffer's
  /// optional base address would otherwise be tested at every byte. `start` is a placeholder,
  /// never read, when the buffer is empty.
  private let start: UnsafeRawPointer
  private let end: Int

  /// `offset` is a position the caller found in `buffer` (0…count): reads only move it on.
  init(_ buffer: UnsafeRawBufferPointer, offset: Int = 0) {
    precondition(offset >= 0, "a negative reader offset")
    self.buffer = buffer
    self.offset = offset
    start = buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
    end = buffer.count
  }

  var isAtEnd: Bool { offset >= end }
  var remaining: Int { end - offset }

  /// The byte at `offset`, which the caller checked is below `end`.
  @inline(__always)
  private func load(_ offset: Int) -> UInt8 { start.load(fromByteOffset: offset, as: UInt8.self) }

  @inline(__always)
  mutating func byte() throws(DecodeError) -> UInt8 {
    guard offset < end else { throw DecodeError("truncated at byte \(offset)") }
    defer { offset += 1 }
    return load(offset)
  }

  /// Unsigned LEB128 (at most 10 bytes, at most 64 bits).
  @inline(__always)
  mutating func varint() throws(DecodeError) -> UInt64 {
    // Most varints here are one byte: version numbers, ids, small deltas.
    if offset < end, load(offset) < 0x80 {
      offset += 1
      return UInt64(load(offset - 1))
    }
    return try multiByteVarint()
  }

  /// An unsigned varint that usually spans several bytes (a time), decoded in place from one
  /// 8-byte load when 8 bytes remain; else as ``varint()``.
  @inline(__always)
  mutating func wideVarint() throws(DecodeError) -> UInt64 {
    if let x = wordVarint() { return x }
    return try byteByByteVarint()
  }

  @inline(__always)
  mutating func signedWideVarint() throws(DecodeError) -> Int64 {
    let z = try wideVarint()
    return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
  }

  /// A varint of at most 8 bytes read from one 8-byte load, or nil (fewer than 8 bytes left, or
  /// a longer varint). Finds the last byte (the first whose high bit is clear) and packs the
  /// 7-bit groups together in three steps (pairs, then quads, then the two halves), with no
  /// branch per byte.
  @inline(__always)
  private mutating func wordVarint() -> UInt64? {
    guard end - offset >= 8 else { return nil }
    let word = UInt64(littleEndian: start.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    let ends = ~word & 0x8080_8080_8080_8080
    guard ends != 0 else { return nil }
    let length = (ends.trailingZeroBitCount + 1) / 8
    let kept = length == 8 ? UInt64.max : (1 << UInt64(8 * length)) &- 1
    var x = word & kept & 0x7f7f_7f7f_7f7f_7f7f
    x = (x & 0x007f_007f_007f_007f) | ((x & 0x7f00_7f00_7f00_7f00) >> 1)
    x = (x & 0x0000_3fff_0000_3fff) | ((x & 0x3fff_0000_3fff_0000) >> 2)
    x = (x & 0x0000_0000_0fff_ffff) | ((x & 0x0fff_ffff_0000_0000) >> 4)
    offset += length
    return x
  }

  /// ``wideVarint()`` out of line, for ``varint()``'s rarer multi-byte values.
  private mutating func multiByteVarint() throws(DecodeError) -> UInt64 { try wideVarint() }

  /// Any varint, read a byte at a time (near the end of the buffer, or longer than 8 bytes).
  private mutating func byteByByteVarint() throws(DecodeError) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard offset < end else {
        throw DecodeError("truncated varint at byte \(offset)")
      }
      let b = load(offset)
      offset += 1
      guard shift < 64, shift < 63 || b <= 1 else {
        throw DecodeError("varint too long at byte \(offset - 1)")
      }
      result |= UInt64(b & 0x7f) << shift
      if b < 0x80 { return result }
      shift += 7
    }
  }

  @inline(__always)
  mutating func signedVarint() throws(DecodeError) -> Int64 {
    let z = try varint()
    return Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))
  }

  /// A varint that must fit in `Int` and be at most `limit`.
  mutating func count(limit: Int) throws(DecodeError) -> Int {
    let v = try varint()
    guard v <= UInt64(limit) else {
      throw DecodeError("length \(v) exceeds \(limit) at byte \(offset)")
    }
    return Int(v)
  }

  @inline(__always)
  mutating func uint64LE() throws(DecodeError) -> UInt64 {
    guard remaining >= 8 else { throw DecodeError("truncated 8-byte field at byte \(offset)") }
    defer { offset += 8 }
    return UInt64(littleEndian: start.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }

  @inline(__always)
  mutating func uint32LE() throws(DecodeError) -> UInt32 {
    guard remaining >= 4 else { throw DecodeError("truncated 4-byte field at byte \(offset)") }
    defer { offset += 4 }
    return UInt32(littleEndian: start.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  /// The next `n` bytes, lent from the same buffer.
  @inline(__always)
  mutating func bytes(_ n: Int) throws(DecodeError) -> UnsafeRawBufferPointer {
    guard n >= 0, remaining >= n else {
      throw DecodeError("\(n) bytes wanted at byte \(offset), \(remaining) left")
    }
    defer { offset += n }
    return UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + n])
  }

  mutating func lengthPrefixed() throws(DecodeError) -> UnsafeRawBufferPointer {
    try bytes(try count(limit: remaining))
  }

  @inline(__always)
  mutating func skip(_ n: Int) throws(DecodeError) { _ = try bytes(n) }
}
