import Glibc

/// Key layouts of the tables keyed by interned ids (all integers as ``OrderedVarint``).
///
/// Entity-major: every feature of one entity sorts together, so writing many features of one
/// entity touches one leaf page.
enum Keys {
  /// `chains` key: entity id, feature id.
  static func chain(entity: UInt64, feature: UInt64) -> [UInt8] {
    var k: [UInt8] = []
    k.reserveCapacity(12)
    OrderedVarint.append(entity, to: &k)
    OrderedVarint.append(feature, to: &k)
    return k
  }

  /// Lends the `chains` key of (entity, feature) to `body` without allocating.
  @inline(__always)
  static func withChain<R>(
    entity: UInt64, feature: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R
  ) rethrows -> R {
    var key = InlineKey()
    key.append(entity)
    key.append(feature)
    return try key.withBytes(body)
  }

  /// `segments` key: the chain key, then the segment's last (oldest) entry as event time and
  /// version, each big-endian and inverted so newer segments sort first.
  static func segment(chain: [UInt8], lastEventTime: Int64, lastVersion: UInt64) -> [UInt8] {
    var k = chain
    k.reserveCapacity(chain.count + 16)
    appendBigEndian(~(UInt64(bitPattern: lastEventTime) ^ (1 << 63)), to: &k)
    appendBigEndian(~lastVersion, to: &k)
    return k
  }

  /// Whether `key` is a `segments` key of the chain `chainKey` (ovarints are self-delimiting,
  /// so a prefix of whole numbers cannot belong to another chain).
  static func isSegment(_ key: UnsafeRawBufferPointer, of chainKey: [UInt8]) -> Bool {
    key.count == chainKey.count + 16 && key.starts(with: chainKey)
  }

  /// The (entity, feature) of a `segments` key; nil when malformed.
  static func parseSegmentChain(_ key: UnsafeRawBufferPointer) -> (entity: UInt64, feature: UInt64)?
  {
    key.count > 16 ? parseChain(UnsafeRawBufferPointer(rebasing: key[..<(key.count - 16)])) : nil
  }

  /// The (event time, version) a `segments` key names after its chain key; nil when malformed.
  static func parseSegment(_ key: UnsafeRawBufferPointer, chainLength: Int) -> (
    eventTime: Int64, version: UInt64
  )? {
    guard key.count == chainLength + 16 else { return nil }
    var a: UInt64 = 0
    var b: UInt64 = 0
    for i in 0..<8 {
      a = a << 8 | UInt64(key[chainLength + i])
      b = b << 8 | UInt64(key[chainLength + 8 + i])
    }
    return (Int64(bitPattern: ~a ^ (1 << 63)), ~b)
  }

  static func appendBigEndian(_ v: UInt64, to k: inout [UInt8]) {
    for shift in stride(from: 56, through: 0, by: -8) {
      k.append(UInt8(truncatingIfNeeded: v >> UInt64(shift)))
    }
  }

  /// A key of `OrderedVarint`s, in order.
  static func ids(_ ids: UInt64...) -> [UInt8] {
    var k: [UInt8] = []
    k.reserveCapacity(ids.count * 3)
    for id in ids { OrderedVarint.append(id, to: &k) }
    return k
  }

  /// Splits a key of `OrderedVarint`s; nil when malformed or not exactly `count` of them.
  static func parseIDs(_ key: UnsafeRawBufferPointer, count: Int) -> [UInt64]? {
    var ids = IDReader(key)
    var out: [UInt64] = []
    out.reserveCapacity(count)
    for _ in 0..<count {
      guard let v = ids.next() else { return nil }
      out.append(v)
    }
    return ids.isAtEnd ? out : nil
  }

  /// Reads the `OrderedVarint` ids of a key one at a time, without allocating: for loops over
  /// millions of keys, where ``parseIDs(_:count:)`` would allocate an array each.
  struct IDReader {
    private var reader: ByteReader

    init(_ key: UnsafeRawBufferPointer) { reader = ByteReader(key) }

    /// The next id; nil when the key is malformed or has no more.
    mutating func next() -> UInt64? {
      reader.isAtEnd ? nil : try? OrderedVarint.read(&reader)
    }

    /// Whether every id was read.
    var isAtEnd: Bool { reader.isAtEnd }
  }

  /// `values` key: the chain key, then the version.
  static func value(chain: [UInt8], version: UInt64) -> [UInt8] {
    var k = chain
    OrderedVarint.append(version, to: &k)
    return k
  }

  /// `expiry` key: expiry time (big-endian, sign bit flipped so negative times sort first), then
  /// entity, feature and version.
  static func expiry(at time: Int64, entity: UInt64, feature: UInt64, version: UInt64) -> [UInt8] {
    var k: [UInt8] = []
    k.reserveCapacity(20)
    appendBigEndian(UInt64(bitPattern: time) ^ (1 << 63), to: &k)
    OrderedVarint.append(entity, to: &k)
    OrderedVarint.append(feature, to: &k)
    OrderedVarint.append(version, to: &k)
    return k
  }

  /// Splits an `expiry` key; nil when malformed.
  static func parseExpiry(_ key: UnsafeRawBufferPointer) -> (
    time: Int64, entity: UInt64, feature: UInt64, version: UInt64
  )? {
    guard key.count > 8 else { return nil }
    var biased: UInt64 = 0
    for i in 0..<8 { biased = biased << 8 | UInt64(key[i]) }
    var r = ByteReader(UnsafeRawBufferPointer(rebasing: key[8...]))
    guard let e = try? OrderedVarint.read(&r), let f = try? OrderedVarint.read(&r),
      let v = try? OrderedVarint.read(&r),
      r.isAtEnd
    else { return nil }
    return (Int64(bitPattern: biased ^ (1 << 63)), e, f, v)
  }

  /// Splits a `values` key into (entity, feature, version); nil when malformed.
  static func parseValue(_ key: UnsafeRawBufferPointer) -> (
    entity: UInt64, feature: UInt64, version: UInt64
  )? {
    var r = ByteReader(key)
    guard let e = try? OrderedVarint.read(&r), let f = try? OrderedVarint.read(&r),
      let v = try? OrderedVarint.read(&r),
      r.isAtEnd
    else { return nil }
    return (e, f, v)
  }

  /// Splits a `chains` key into (entity, feature); nil when malformed.
  static func parseChain(_ key: UnsafeRawBufferPointer) -> (entity: UInt64, feature: UInt64)? {
    var r = ByteReader(key)
    guard let e = try? OrderedVarint.read(&r), let f = try? OrderedVarint.read(&r), r.isAtEnd else {
      return nil
    }
    return (e, f)
  }
}

/// A key of at most two ``OrderedVarint``s (18 bytes) held in place, for reads that would
/// otherwise allocate an array per lookup.
struct InlineKey {
  private var storage: (UInt64, UInt64, UInt64) = (0, 0, 0)
  private(set) var count = 0

  /// Appends `v` as an ``OrderedVarint``; traps beyond 24 bytes.
  @inline(__always)
  mutating func append(_ v: UInt64) {
    withUnsafeMutableBytes(of: &storage) { bytes in
      OrderedVarint.emit(v) { b in
        precondition(count < bytes.count, "inline key longer than 24 bytes")
        bytes[count] = b
        count += 1
      }
    }
  }

  mutating func removeAll() { count = 0 }

  /// Lends the key's bytes to `body`.
  @inline(__always)
  func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    try withUnsafeBytes(of: storage) { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
  }

  /// Whether `other` holds exactly this key.
  func equals(_ other: UnsafeRawBufferPointer) -> Bool {
    other.count == count
      && withBytes { mine in memcmp(mine.baseAddress!, other.baseAddress!, count) == 0 }
  }
}
