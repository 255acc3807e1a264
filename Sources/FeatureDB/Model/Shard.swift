/// One of N stores that split the entities between them: shard `index` of `count` (`k/N`,
/// 0 ≤ k < N).
///
/// An entity belongs to shard ``index(of:shards:)``: the 64-bit FNV-1a hash of the entity id's
/// UTF-8 bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3, each byte XORed in before
/// the multiplication, modulo 2⁶⁴), mapped to a shard by Lamping and Veach's jump consistent
/// hash. The function never changes (docs/scale-out.md spells it out for other languages; the
/// Spark job's tests check a golden table against it), and going from N to N+1 shards moves
/// only about 1/(N+1) of the entities.
///
/// ```swift
/// let shard = try Shard(parsing: "1/3")
/// shard.contains("user123")                  // whether user123 lives in shard 1 of 3
/// Shard.index(of: "user123", shards: 3)      // 0, 1 or 2
/// ```
public struct Shard: Hashable, Sendable, CustomStringConvertible {
  /// This shard's number, 0 ≤ index < count.
  public let index: Int
  /// How many shards there are.
  public let count: Int

  /// The most shards a store can be split into.
  public static let maxCount = 65_536

  /// Shard `index` of `count`.
  ///
  /// - Throws: ``FeatureDBError/invalidShard(_:reason:)`` unless 1 ≤ count ≤ ``maxCount`` and
  ///   0 ≤ index < count.
  public init(_ index: Int, of count: Int) throws(FeatureDBError) {
    guard (1...Shard.maxCount).contains(count) else {
      throw FeatureDBError.invalidShard(
        "\(index)/\(count)", reason: "the number of shards must be 1 to \(Shard.maxCount)")
    }
    guard (0..<count).contains(index) else {
      throw FeatureDBError.invalidShard(
        "\(index)/\(count)", reason: "the shard must be 0 to \(count - 1)")
    }
    self.index = index
    self.count = count
  }

  /// Parses `k/N` (decimal digits only), as `--shard k/N` takes it.
  ///
  /// - Throws: ``FeatureDBError/invalidShard(_:reason:)`` for any other text or a k or N out
  ///   of range.
  public init(parsing text: String) throws(FeatureDBError) {
    let parts = text.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }),
      let k = Int(parts[0]), let n = Int(parts[1])
    else {
      throw FeatureDBError.invalidShard(
        text, reason: "expected k/N, the shard k (from 0) of N, like 0/3")
    }
    try self.init(k, of: n)
  }

  /// `k/N`.
  public var description: String { "\(index)/\(count)" }

  /// Whether `entity` belongs to this shard.
  public func contains(_ entity: String) -> Bool {
    Shard.index(of: entity, shards: count) == index
  }

  /// The shard of `entity` among `shards` (0 ≤ result < shards; 0 when `shards` < 2).
  public static func index(of entity: String, shards: Int) -> Int {
    jump(fnv1a(entity), buckets: shards)
  }

  /// 64-bit FNV-1a over the UTF-8 bytes.
  static func fnv1a(_ text: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in text.utf8 {
      h ^= UInt64(byte)
      h = h &* 0x100_0000_01b3
    }
    return h
  }

  /// Jump consistent hash (Lamping and Veach, 2014): the bucket of `key` among `buckets`.
  static func jump(_ key: UInt64, buckets: Int) -> Int {
    var key = key
    var b: Int64 = -1
    var j: Int64 = 0
    while j < Int64(buckets) {
      b = j
      key = key &* 2_862_933_555_777_941_757 &+ 1
      j = Int64(Double(b + 1) * (Double(UInt64(1) << 31) / Double((key >> 33) + 1)))
    }
    return Int(max(b, 0))
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
