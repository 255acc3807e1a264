import Glibc

/// A hash table keyed by strings compared as UTF-8 bytes (as LMDB compares keys), for the read
/// path's name lookups (feature names, the entity-id cache).
///
/// `Dictionary<String, _>` hashes with SipHash and compares by Unicode canonical equivalence:
/// about 370 instructions a lookup, a tenth of a `latest` read. This table hashes the bytes with
/// a seeded FNV-1a and probes linearly at most half full. Two ids that differ in bytes are
/// different keys here even when canonically equivalent, which is what interning needs (no two
/// ids may share a number).
struct StringTable<Value> {
  /// Per slot: the key's hash with the low bit set (0: empty), its bytes and the value.
  private var hashes: [UInt64]
  private var keys: [[UInt8]]
  private var values: [Value?]
  private(set) var count = 0

  init(minimumCapacity: Int = 8) {
    var capacity = 8
    while capacity < 2 * minimumCapacity { capacity *= 2 }
    hashes = Array(repeating: 0, count: capacity)
    keys = Array(repeating: [], count: capacity)
    values = Array(repeating: nil, count: capacity)
  }

  init(_ pairs: some Sequence<(String, Value)>) {
    self.init()
    for (k, v) in pairs { self[k] = v }
  }

  @inline(__always)
  private static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h = 0xcbf2_9ce4_8422_2325 ^ stringTableSeed
    for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return (h ^ (h >> 29)) | 1
  }

  /// The slot holding `bytes`, or the empty slot where they would go.
  @inline(__always)
  private func slot(_ bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> (index: Int, found: Bool)
  {
    let mask = hashes.count - 1
    var i = Int(truncatingIfNeeded: hash >> 1) & mask
    while hashes[i] != 0 {
      if hashes[i] == hash,
        keys[i].withUnsafeBufferPointer({ k in
          k.count == bytes.count
            && (k.count == 0 || memcmp(k.baseAddress!, bytes.baseAddress!, k.count) == 0)
        })
      {
        return (i, true)
      }
      i = (i + 1) & mask
    }
    return (i, false)
  }

  subscript(key: String) -> Value? {
    get {
      var key = key
      return key.withUTF8 { bytes in
        let (i, found) = slot(bytes, hash: Self.hash(bytes))
        return found ? values[i] : nil
      }
    }
    set {
      guard let newValue else {
        precondition(self[key] == nil, "StringTable does not remove single keys")
        return
      }
      if 2 * (count + 1) > hashes.count { grow() }
      var key = key
      key.withUTF8 { bytes in
        let hash = Self.hash(bytes)
        let (i, found) = slot(bytes, hash: hash)
        if !found {
          hashes[i] = hash
          keys[i] = Array(bytes)
          count += 1
        }
        values[i] = newValue
      }
    }
  }

  mutating func removeAll() {
    self = StringTable(minimumCapacity: hashes.count / 2)
  }

  private mutating func grow() {
    var bigger = StringTable(minimumCapacity: hashes.count)
    let mask = bigger.hashes.count - 1
    for j in hashes.indices where hashes[j] != 0 {
      var i = Int(truncatingIfNeeded: hashes[j] >> 1) & mask
      while bigger.hashes[i] != 0 { i = (i + 1) & mask }
      bigger.hashes[i] = hashes[j]
      bigger.keys[i] = keys[j]
      bigger.values[i] = values[j]
    }
    bigger.count = count
    self = bigger
  }
}

extension StringTable: Sendable where Value: Sendable {}

/// ``StringTable``'s hash seed, drawn once per process so that which ids collide cannot be
/// chosen from outside.
private let stringTableSeed = UInt64.random(in: .min ... .max)
