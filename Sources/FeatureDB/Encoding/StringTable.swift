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
  /// One slot: the key's hash with the low bit set (0: empty), the key and the value, together
  /// so that a probe touches one cache line (a key of up to 15 bytes is inside the `String`).
  fileprivate struct Slot {
    var hash: UInt64 = 0
    var key = ""
    var value: Value? = nil
  }
  private var slots: [Slot]
  private(set) var count = 0

  init(minimumCapacity: Int = 8) {
    var capacity = 8
    while capacity < 2 * minimumCapacity { capacity *= 2 }
    slots = Array(repeating: Slot(), count: capacity)
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
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: hash >> 1) & mask
    while slots[i].hash != 0 {
      if slots[i].hash == hash {
        var key = slots[i].key
        let same = key.withUTF8 { k in
          k.count == bytes.count
            && (k.count == 0 || memcmp(k.baseAddress!, bytes.baseAddress!, k.count) == 0)
        }
        if same { return (i, true) }
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
        return found ? slots[i].value : nil
      }
    }
    set {
      guard let newValue else {
        precondition(self[key] == nil, "StringTable does not remove single keys")
        return
      }
      if 2 * (count + 1) > slots.count { grow() }
      var bytesOf = key
      bytesOf.withUTF8 { bytes in
        let hash = Self.hash(bytes)
        let (i, found) = slot(bytes, hash: hash)
        if !found {
          slots[i].hash = hash
          slots[i].key = key
          count += 1
        }
        slots[i].value = newValue
      }
    }
  }

  mutating func removeAll() {
    self = StringTable(minimumCapacity: slots.count / 2)
  }

  private mutating func grow() {
    var bigger = StringTable(minimumCapacity: slots.count)
    let mask = bigger.slots.count - 1
    for slot in slots where slot.hash != 0 {
      var i = Int(truncatingIfNeeded: slot.hash >> 1) & mask
      while bigger.slots[i].hash != 0 { i = (i + 1) & mask }
      bigger.slots[i] = slot
    }
    bigger.count = count
    self = bigger
  }
}

extension StringTable: Sendable where Value: Sendable {}
extension StringTable.Slot: Sendable where Value: Sendable {}

/// ``StringTable``'s hash seed, drawn once per process so that which ids collide cannot be
/// chosen from outside.
private let stringTableSeed = UInt64.random(in: .min ... .max)
