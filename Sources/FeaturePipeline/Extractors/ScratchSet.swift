/// A set of non-zero, well-mixed 64-bit hashes (``stableHash(_:)`` values) in scratch memory
/// with a count per member: what the extractors use for distinct counts instead of `Set`, which
/// allocates and hashes again on every call. Iteration order depends only on the members and
/// their insertion order, so sums over it are the same in every process.
struct ScratchSet {
  private let keys: UnsafeMutableBufferPointer<UInt64>
  private let counts: UnsafeMutableBufferPointer<Int>
  private let mask: Int
  /// Distinct members.
  private(set) var count = 0

  /// Runs `body` with an empty set able to hold `capacity` members.
  static func with<R>(capacity: Int, _ body: (inout ScratchSet) -> R) -> R {
    // Load at most 3/4: probes stay short, and half the memory of a 1/2 bound to clear.
    var size = 16
    while size * 3 < 4 * capacity { size <<= 1 }
    return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: size) { keys in
      withUnsafeTemporaryAllocation(of: Int.self, capacity: size) { counts in
        // Only the keys need clearing: a count is set when its key is inserted and read only
        // where a key is (Int is trivial, so writing over uninitialized memory is allowed).
        keys.initialize(repeating: 0)
        var set = ScratchSet(keys: keys, counts: counts, mask: size - 1)
        return body(&set)
      }
    }
  }

  private init(
    keys: UnsafeMutableBufferPointer<UInt64>, counts: UnsafeMutableBufferPointer<Int>, mask: Int
  ) {
    self.keys = keys
    self.counts = counts
    self.mask = mask
  }

  /// Adds one occurrence of `h` (non-zero); returns true when it was not a member.
  @discardableResult
  mutating func insert(_ h: UInt64) -> Bool {
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let k = keys[i]
      if k == h {
        counts[i] += 1
        return false
      }
      if k == 0 {
        keys[i] = h
        counts[i] = 1
        count += 1
        return true
      }
      i = (i + 1) & mask
    }
  }

  /// Calls `body` with the occurrence count of every member.
  func forEachCount(_ body: (Int) -> Void) {
    for i in 0...mask where keys[i] != 0 { body(counts[i]) }
  }
}
