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

  /// Splits a `chains` key into (entity, feature); nil when malformed.
  static func parseChain(_ key: UnsafeRawBufferPointer) -> (entity: UInt64, feature: UInt64)? {
    var r = ByteReader(key)
    guard let e = try? OrderedVarint.read(&r), let f = try? OrderedVarint.read(&r), r.isAtEnd else {
      return nil
    }
    return (e, f)
  }
}
