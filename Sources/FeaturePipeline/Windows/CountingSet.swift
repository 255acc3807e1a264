/// A multiset of non-zero, well-mixed 64-bit hashes (``stableHash(_:)`` values) with a count
/// per member, that members can leave: what the sliding windows use for exact distinct counts.
/// Open addressing with linear probing and backward-shift deletion, so insert and remove cost
/// O(1) expected and no tombstones build up; a member and its count share a slot (one cache
/// line per probe).
struct CountingSet: Sendable {
  private struct Slot: Sendable {
    var key: UInt64 = 0
    var count: Int32 = 0
  }

  private var slots: [Slot] = []
  /// Distinct members.
  private(set) var count = 0

  /// An empty set.
  init() {}

  /// Adds one occurrence of `h` (non-zero).
  mutating func insert(_ h: UInt64) {
    if slots.isEmpty || (count + 1) * 4 > slots.count * 3 { grow() }
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let k = slots[i].key
      if k == h {
        slots[i].count += 1
        return
      }
      if k == 0 {
        slots[i] = Slot(key: h, count: 1)
        count += 1
        return
      }
      i = (i + 1) & mask
    }
  }

  /// Removes one occurrence of `h`, a member.
  mutating func remove(_ h: UInt64) {
    let mask = slots.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while slots[i].key != h {
      precondition(slots[i].key != 0, "removing a hash that is not in the set")
      i = (i + 1) & mask
    }
    slots[i].count -= 1
    guard slots[i].count == 0 else { return }
    count -= 1
    // Backward-shift deletion: move later members of the probe run into the hole when their
    // home slot is at or before it.
    var hole = i
    var j = (i + 1) & mask
    while slots[j].key != 0 {
      let home = Int(truncatingIfNeeded: slots[j].key) & mask
      if (j - home) & mask >= (j - hole) & mask {
        slots[hole] = slots[j]
        hole = j
      }
      j = (j + 1) & mask
    }
    slots[hole] = Slot()
  }

  /// The members with their occurrence counts, in ascending order of the hash (the same order
  /// in every process, whatever the insertions).
  func sortedCounts() -> [(hash: UInt64, count: Int)] {
    var out: [(hash: UInt64, count: Int)] = []
    out.reserveCapacity(count)
    for s in slots where s.key != 0 { out.append((s.key, Int(s.count))) }
    out.sort { $0.hash < $1.hash }
    return out
  }

  private mutating func grow() {
    let old = slots.filter { $0.key != 0 }
    slots = Array(repeating: Slot(), count: max(16, slots.count * 2))
    let mask = slots.count - 1
    for s in old {
      var i = Int(truncatingIfNeeded: s.key) & mask
      while slots[i].key != 0 { i = (i + 1) & mask }
      slots[i] = s
    }
  }
}
