/// The sum of doubles without rounding error until it is read: Shewchuk's non-overlapping
/// partials (as Python's `math.fsum`). ``value`` is the exact sum of everything added, rounded
/// once (to nearest, ties to even), so it does not depend on the order of the additions, and
/// subtracting a value added before gives back exactly the sum without it.
///
/// A sum whose partials overflow is infinite from then on (the sign of the overflow), as a plain
/// sum of values that large would be.
struct ExactSum: Sendable, Hashable {
  /// Non-overlapping partials, smallest magnitude first; their exact sum is the sum.
  private var partials: [Double] = []
  /// Set once a partial overflowed: the value from then on.
  private var overflow: Double?

  /// Adds `x` exactly.
  mutating func add(_ x: Double) {
    guard overflow == nil else { return }
    var x = x
    var kept = 0
    for i in partials.indices {
      let y = partials[i]
      let (hi, lo) = abs(x) < abs(y) ? Self.fastTwoSum(y, x) : Self.fastTwoSum(x, y)
      guard hi.isFinite else {
        overflow = hi
        return
      }
      if lo != 0 {
        partials[kept] = lo
        kept += 1
      }
      x = hi
    }
    partials.removeSubrange(kept...)
    partials.append(x)
  }

  /// Adds every partial of `other` (the exact sum of both).
  mutating func add(_ other: ExactSum) {
    if let o = other.overflow, overflow == nil { overflow = o }
    for p in other.partials { add(p) }
  }

  /// The exact sum, rounded once.
  var value: Double {
    if let overflow { return overflow }
    guard var n = partials.indices.last else { return 0 }
    var hi = partials[n]
    var lo = 0.0
    // From the largest partial down, until the rest no longer changes the rounded sum.
    while n > 0 {
      n -= 1
      let (h, l) = Self.fastTwoSum(hi, partials[n])
      (hi, lo) = (h, l)
      if lo != 0 { break }
    }
    // Half-way between two doubles: the partials below decide which way to round.
    if n > 0, (lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0) {
      let y = lo * 2
      let x = hi + y
      if y == x - hi { hi = x }
    }
    return hi
  }

  /// `a + b` and its rounding error, exactly, for |a| ≥ |b|.
  private static func fastTwoSum(_ a: Double, _ b: Double) -> (Double, Double) {
    let hi = a + b
    return (hi, b - (hi - a))
  }
}
