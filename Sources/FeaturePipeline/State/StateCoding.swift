import FeatureDB

/// Appends the compact binary form of per-entity state (varints, little-endian fixed widths).
public struct StateWriter: Sendable {
  /// The bytes written so far.
  public private(set) var bytes: [UInt8] = []
  /// The blob's table of 64-bit hashes (the user's event window writes it), by hash: what
  /// ``hash(_:)`` refers to.
  var table = HashIndex()

  /// An empty writer with room for `capacity` bytes (default 256) before it grows.
  public init(capacity: Int = 256) { bytes.reserveCapacity(capacity) }

  /// An empty writer that refers to the hash table of `other`.
  init(sharingTableOf other: StateWriter) { table = other.table }

  /// Appends one byte.
  public mutating func byte(_ b: UInt8) { bytes.append(b) }

  /// LEB128 unsigned varint.
  public mutating func varint(_ v: UInt64) {
    var v = v
    while v >= 0x80 {
      bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
      v >>= 7
    }
    bytes.append(UInt8(v))
  }

  /// Zigzag then varint.
  public mutating func svarint(_ v: Int64) { varint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }

  /// Appends `v` as 8 bytes, little-endian.
  public mutating func uint64(_ v: UInt64) {
    for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
  }

  /// Appends the bit pattern of `v` as 8 bytes, little-endian (exact, NaN payloads and −0 too).
  public mutating func double(_ v: Double) { uint64(v.bitPattern) }

  /// Appends the UTF-8 byte count of `s` as a varint, then the bytes.
  public mutating func string(_ s: String) {
    varint(UInt64(s.utf8.count))
    bytes.append(contentsOf: s.utf8)
  }

  /// Appends `b` as is (no length).
  public mutating func append(_ b: [UInt8]) { bytes.append(contentsOf: b) }

  /// Appends a 64-bit hash: a varint reference (1 + its index) into the blob's hash table when
  /// the table holds it, else 0 and the 8 bytes.
  public mutating func hash(_ h: UInt64) {
    if let i = table[h] {
      varint(UInt64(i) + 1)
    } else {
      varint(0)
      uint64(h)
    }
  }

  /// Appends `x` exactly (every bit, −0 and NaN payloads too): a whole number or a whole number
  /// of hundredths below 2⁵³ as a tagged zigzag varint (1 to 8 bytes), anything else as a tag
  /// byte and its 8-byte bit pattern.
  public mutating func number(_ x: Double) {
    for (tag, scale) in [(UInt64(0), 1.0), (1, 100.0)] {
      let m = (x * scale).rounded()
      guard abs(m) < 9e15 else { continue }
      let i = Int64(m)
      if (Double(i) / scale).bitPattern == x.bitPattern {
        varint(UInt64(bitPattern: (i << 1) ^ (i >> 63)) << 2 | tag)
        return
      }
    }
    varint(2)
    double(x)
  }
}

/// Reads what ``StateWriter`` wrote; every read is bounds-checked.
public struct StateReader: Sendable {
  let bytes: [UInt8]
  /// Offset of the next byte to read.
  public private(set) var position = 0
  /// The blob's table of 64-bit hashes (read with the user's event window): what ``hash()``
  /// refers to.
  var table: [UInt64] = []
  /// The bytes were written by this version's encoders: hashes with ``StateWriter/hash(_:)``
  /// and doubles with ``StateWriter/number(_:)`` (user state format 3); false for the 8-byte
  /// forms of format 1 and 2.
  public internal(set) var compact = true

  /// A reader at the start of `bytes`.
  public init(_ bytes: [UInt8]) { self.bytes = bytes }

  /// A reader at the start of `bytes` with the hash table and encoding of `other`.
  init(_ bytes: [UInt8], sharingTableOf other: StateReader) {
    self.bytes = bytes
    table = other.table
    compact = other.compact
  }

  /// Every byte has been read.
  public var isAtEnd: Bool { position >= bytes.count }

  /// Reads one byte; throws ``PipelineError/corruptState(_:)`` at the end.
  public mutating func byte() throws(PipelineError) -> UInt8 {
    guard position < bytes.count else { throw .corruptState("truncated") }
    defer { position += 1 }
    return bytes[position]
  }

  /// Reads a LEB128 unsigned varint; throws ``PipelineError/corruptState(_:)`` when it is
  /// truncated or longer than 10 bytes.
  public mutating func varint() throws(PipelineError) -> UInt64 {
    var v: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let b = try byte()
      guard shift < 64 else { throw .corruptState("varint too long") }
      v |= UInt64(b & 0x7f) << shift
      if b < 0x80 { return v }
      shift += 7
    }
  }

  /// Reads a zigzag varint (``StateWriter/svarint(_:)``); throws like ``varint()``.
  public mutating func svarint() throws(PipelineError) -> Int64 {
    let u = try varint()
    return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
  }

  /// Reads 8 bytes, little-endian; throws ``PipelineError/corruptState(_:)`` when fewer remain.
  public mutating func uint64() throws(PipelineError) -> UInt64 {
    guard bytes.count - position >= 8 else { throw .corruptState("truncated") }
    var v: UInt64 = 0
    for i in 0..<8 { v |= UInt64(bytes[position + i]) << (8 * UInt64(i)) }
    position += 8
    return v
  }

  /// Reads a `Double` from its 8-byte bit pattern; throws like ``uint64()``.
  public mutating func double() throws(PipelineError) -> Double {
    Double(bitPattern: try uint64())
  }

  /// Reads what ``StateWriter/string(_:)`` wrote (invalid UTF-8 becomes U+FFFD); throws
  /// ``PipelineError/corruptState(_:)`` when the length exceeds the remaining bytes.
  public mutating func string() throws(PipelineError) -> String {
    let n = Int(try count())
    let s = String(decoding: bytes[position..<position + n], as: UTF8.self)
    position += n
    return s
  }

  /// Reads what ``StateWriter/hash(_:)`` wrote; throws ``PipelineError/corruptState(_:)`` for
  /// a reference outside the table or truncated bytes.
  public mutating func hash() throws(PipelineError) -> UInt64 {
    let i = try varint()
    guard i > 0 else { return try uint64() }
    guard i <= UInt64(table.count) else { throw .corruptState("hash reference \(i)") }
    return table[Int(i - 1)]
  }

  /// Reads what ``StateWriter/number(_:)`` wrote; throws ``PipelineError/corruptState(_:)`` for
  /// an unknown tag or truncated bytes.
  public mutating func number() throws(PipelineError) -> Double {
    let v = try varint()
    let z = v >> 2
    let i = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
    switch v & 3 {
    case 0: return Double(i)
    case 1: return Double(i) / 100
    case 2 where v == 2: return try double()
    default: throw .corruptState("number tag \(v & 3)")
    }
  }

  /// A length that must fit in the remaining bytes.
  public mutating func count() throws(PipelineError) -> Int {
    let n = try varint()
    guard n <= UInt64(bytes.count - position) else { throw .corruptState("length \(n) too large") }
    return Int(n)
  }

  /// Reads `n` bytes (`n` ≥ 0); throws ``PipelineError/corruptState(_:)`` when fewer remain.
  public mutating func bytes(_ n: Int) throws(PipelineError) -> [UInt8] {
    guard n <= bytes.count - position else { throw .corruptState("truncated") }
    defer { position += n }
    return Array(bytes[position..<position + n])
  }
}

/// 64-bit FNV-1a followed by the splitmix64 finaliser: a hash that is the same in every
/// process (Swift's `Hasher` is seeded per process, so it cannot go into persisted state).
public func stableHash(_ s: String) -> UInt64 {
  var hasher = StableHasher()
  hasher.add(s)
  return hasher.value
}

/// ``stableHash(_:)`` of text given in pieces: the pieces' hash is the hash of their
/// concatenation, with no string built.
struct StableHasher {
  private var h: UInt64 = 0xcbf2_9ce4_8422_2325

  /// Adds a piece of text.
  mutating func add(_ s: String) {
    for b in s.utf8 { add(b) }
  }

  /// Adds one byte.
  mutating func add(_ b: UInt8) {
    h ^= UInt64(b)
    h &*= 0x0000_0100_0000_01b3
  }

  /// The hash of what was added.
  var value: UInt64 { mix64(h) }
}

/// The inverse of ``mix64(_:)``: `unmix64(mix64(x)) == x`.
func unmix64(_ x: UInt64) -> UInt64 {
  var z = x ^ (x >> 31) ^ (x >> 62)
  z &*= 0x3196_42b2_d24d_8ec3
  z = z ^ (z >> 27) ^ (z >> 54)
  z &*= 0x96de_1b17_3f11_9089
  z = z ^ (z >> 30) ^ (z >> 60)
  return z &- 0x9e37_79b9_7f4a_7c15
}

/// splitmix64's finaliser: spreads the bits of `x` uniformly.
@inline(__always) func mix64(_ x: UInt64) -> UInt64 {
  var z = x &+ 0x9e37_79b9_7f4a_7c15
  z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
  z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
  return z ^ (z >> 31)
}
