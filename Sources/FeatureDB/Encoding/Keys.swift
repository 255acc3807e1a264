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
    let biased = UInt64(bitPattern: time) ^ (1 << 63)
    for shift in stride(from: 56, through: 0, by: -8) {
      k.append(UInt8(truncatingIfNeeded: biased >> UInt64(shift)))
    }
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
