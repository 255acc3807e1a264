/// The sum of doubles without rounding error until it is read: Shewchuk's non-overlapping
/// partials (as Python's `math.fsum`). ``value`` is the exact sum of everything added, rounded
/// once (to nearest, ties to even), so it does not depend on the order of the additions, and
/// subtracting a value added before gives back exactly the sum without it.
///
/// A sum whose partials overflow is infinite from then on (the sign of the overflow), as a plain
/// sum of values that large would be.
struct ExactSum: Sendable {
  /// Non-overlapping partials, smallest magnitude first; their exact sum is the sum. The first
  /// two are held inline (sums of amounts with a few decimals rarely need more), the rest in
  /// `more`, so most sums never allocate.
  private var p0 = 0.0
  private var p1 = 0.0
  private var more: [Double] = []
  private var count = 0
  /// Set once a partial overflowed: the value from then on.
  private var overflow: Double?

  private func partial(_ i: Int) -> Double {
    i == 0 ? p0 : i == 1 ? p1 : more[i - 2]
  }

  private mutating func setPartial(_ i: Int, _ x: Double) {
    switch i {
    case 0: p0 = x
    case 1: p1 = x
    default:
      if i - 2 < more.count { more[i - 2] = x } else { more.append(x) }
    }
  }

  /// Adds `x` exactly.
  mutating func add(_ x: Double) {
    guard overflow == nil else { return }
    var x = x
    var kept = 0
    for i in 0..<count {
      let y = partial(i)
      let (hi, lo) = abs(x) < abs(y) ? Self.fastTwoSum(y, x) : Self.fastTwoSum(x, y)
      guard hi.isFinite else {
        overflow = hi
        return
      }
      if lo != 0 {
        setPartial(kept, lo)
        kept += 1
      }
      x = hi
    }
    // Partials are written in index order, so `more` grows only by appending; entries past
    // `count` are stale and never read.
    setPartial(kept, x)
    count = kept + 1
  }

  /// Adds every partial of `other` (the exact sum of both).
  mutating func add(_ other: ExactSum) {
    if let o = other.overflow, overflow == nil { overflow = o }
    for i in 0..<other.count { add(other.partial(i)) }
  }

  /// A partial overflowed: ``value`` is ±∞ until the sum is built again from its values
  /// (subtracting no longer undoes an addition).
  var overflowed: Bool { overflow != nil }

  /// The exact sum, rounded once.
  var value: Double {
    if let overflow { return overflow }
    guard count > 0 else { return 0 }
    var n = count - 1
    var hi = partial(n)
    var lo = 0.0
    // From the largest partial down, until the rest no longer changes the rounded sum.
    while n > 0 {
      n -= 1
      (hi, lo) = Self.fastTwoSum(hi, partial(n))
      if lo != 0 { break }
    }
    // Half-way between two doubles: the partials below decide which way to round.
    if n > 0, (lo < 0 && partial(n - 1) < 0) || (lo > 0 && partial(n - 1) > 0) {
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
