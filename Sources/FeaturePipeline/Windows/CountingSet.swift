/// A multiset of non-zero, well-mixed 64-bit hashes (``stableHash(_:)`` values) with a count
/// per member, that members can leave: what the sliding windows use for exact distinct counts.
/// Open addressing with linear probing and backward-shift deletion, so insert and remove cost
/// O(1) expected and no tombstones build up.
struct CountingSet: Sendable {
  private var keys: [UInt64] = []
  private var counts: [Int32] = []
  /// Distinct members.
  private(set) var count = 0

  /// An empty set.
  init() {}

  /// Adds one occurrence of `h` (non-zero).
  mutating func insert(_ h: UInt64) {
    if keys.isEmpty || (count + 1) * 4 > keys.count * 3 { grow() }
    let mask = keys.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let k = keys[i]
      if k == h {
        counts[i] += 1
        return
      }
      if k == 0 {
        keys[i] = h
        counts[i] = 1
        count += 1
        return
      }
      i = (i + 1) & mask
    }
  }

  /// Removes one occurrence of `h`, a member.
  mutating func remove(_ h: UInt64) {
    let mask = keys.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while keys[i] != h {
      precondition(keys[i] != 0, "removing a hash that is not in the set")
      i = (i + 1) & mask
    }
    counts[i] -= 1
    guard counts[i] == 0 else { return }
    count -= 1
    // Backward-shift deletion: move later members of the probe run into the hole when their
    // home slot is at or before it.
    var hole = i
    var j = (i + 1) & mask
    while keys[j] != 0 {
      let home = Int(truncatingIfNeeded: keys[j]) & mask
      if (j - home) & mask >= (j - hole) & mask {
        keys[hole] = keys[j]
        counts[hole] = counts[j]
        hole = j
      }
      j = (j + 1) & mask
    }
    keys[hole] = 0
  }

  /// The members with their occurrence counts, in ascending order of the hash (the same order
  /// in every process, whatever the insertions).
  func sortedCounts() -> [(hash: UInt64, count: Int)] {
    var out: [(hash: UInt64, count: Int)] = []
    out.reserveCapacity(count)
    for i in keys.indices where keys[i] != 0 { out.append((keys[i], Int(counts[i]))) }
    out.sort { $0.hash < $1.hash }
    return out
  }

  private mutating func grow() {
    let old = zip(keys, counts).filter { $0.0 != 0 }
    let size = max(16, keys.count * 2)
    keys = Array(repeating: 0, count: size)
    counts = Array(repeating: 0, count: size)
    let mask = size - 1
    for (k, c) in old {
      var i = Int(truncatingIfNeeded: k) & mask
      while keys[i] != 0 { i = (i + 1) & mask }
      keys[i] = k
      counts[i] = c
    }
  }
}
