/// The position of each distinct non-zero 64-bit hash in a state blob's hash table.
///
/// The hashes are mixed already (``stableHash(_:)``: FNV-1a then splitmix64), so a hash's low
/// bits pick its slot and a lookup costs a few instructions; a `Dictionary` hashes again with
/// SipHash, about a hundred, and encoding a user's window looks up ten hashes per event in it.
struct HashIndex {
  private var keys: [UInt64]
  private var positions: [Int]
  /// Hashes held.
  private(set) var count = 0

  /// An empty index with room for `capacity` hashes before it grows (0: allocates nothing
  /// until the first insert).
  init(capacity: Int = 0) {
    var slots = capacity > 0 ? 16 : 0
    while slots < 2 * capacity { slots *= 2 }
    keys = Array(repeating: 0, count: slots)
    positions = Array(repeating: 0, count: slots)
  }

  /// The slot holding `h`, or the empty slot where it would go.
  private func slot(_ h: UInt64) -> Int {
    let mask = keys.count - 1
    var i = Int(truncatingIfNeeded: h) & mask
    while keys[i] != 0, keys[i] != h { i = (i + 1) & mask }
    return i
  }

  /// The position of `h`; nil when absent (always for 0, which stands for "none").
  subscript(h: UInt64) -> Int? {
    guard h != 0, !keys.isEmpty else { return nil }
    let i = slot(h)
    return keys[i] == h ? positions[i] : nil
  }

  /// Adds `h` at `position` unless it is 0 or held already; returns whether it was added.
  @discardableResult
  mutating func insert(_ h: UInt64, at position: Int) -> Bool {
    guard h != 0 else { return false }
    if keys.isEmpty { grow() }
    let i = slot(h)
    guard keys[i] != h else { return false }
    keys[i] = h
    positions[i] = position
    count += 1
    if 2 * count > keys.count { grow() }
    return true
  }

  private mutating func grow() {
    var bigger = HashIndex(capacity: max(8, keys.count))
    for (k, p) in zip(keys, positions) where k != 0 { bigger.insert(k, at: p) }
    self = bigger
  }
}
