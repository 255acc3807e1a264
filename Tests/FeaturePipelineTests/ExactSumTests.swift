import FeatureDB
import Testing

@testable import FeaturePipeline

/// Window sums are exact and rounded once (issue 22: a purchase sum flipped between 282.27 and
/// 282.27000000000004 with the same purchases in the window, writing versions that changed
/// nothing).
@Suite struct ExactSumTests {
  static func sum(_ xs: [Double]) -> Double {
    var s = ExactSum()
    for x in xs { s.add(x) }
    return s.value
  }

  /// Values Python's `math.fsum` gives (an independent implementation of the same rounding).
  @Test func matchesFsum() {
    #expect(Self.sum([1e16, 1, -1e16]) == 1)
    #expect(Self.sum(Array(repeating: 0.1, count: 10)) == 1)
    #expect(Self.sum([1, 1e-16, 1e-16]) == 1.0000000000000002)
    #expect(Self.sum([1, 0x1p-53, 0x1p-106]) == 1.0000000000000002)
    #expect(Self.sum([1e100, 1, -1e100, 1e-100, 1e50, -1, -1e50]) == 1e-100)
    #expect(Self.sum([3, 0x1p-52, -0x1p-53 + 0x1p-110]) == 3)
    #expect(Self.sum([]) == 0)
  }

  /// Multiples of 2⁻²⁰ below 2³⁰ in magnitude: their exact sum is an integer count of 2⁻²⁰,
  /// which converts to the correctly rounded double.
  @Test func isTheExactSumRoundedOnceInAnyOrder() {
    let seed: UInt64 = 0x5EED_0022_0001
    print("ExactSumTests seed \(seed)")
    var rng = SplitMix64(seed: seed)
    for _ in 0..<500 {
      let units = (0..<Int.random(in: 1...40, using: &rng)).map { _ in
        Int64.random(in: -(1 << 50)...(1 << 50), using: &rng)
      }
      let xs = units.map { Double($0) * 0x1p-20 }
      let exact = Double(units.reduce(0, +)) * 0x1p-20
      #expect(Self.sum(xs) == exact)
      #expect(Self.sum(xs.shuffled(using: &rng)) == exact)
    }
  }

  @Test func subtractingWhatWasAddedGivesTheSumWithout() {
    var rng = SplitMix64(seed: 0x5EED_0022_0002)
    for _ in 0..<300 {
      let xs = (0..<Int.random(in: 2...30, using: &rng)).map { _ in
        Double.random(in: -1e6...1e6, using: &rng) * Self.pow10(Int.random(in: -8...8, using: &rng))
      }
      var s = ExactSum()
      for x in xs { s.add(x) }
      let k = Int.random(in: 0..<xs.count, using: &rng)
      s.add(-xs[k])
      var without = xs
      without.remove(at: k)
      #expect(s.value == Self.sum(without.reversed()))
    }
  }

  /// Powers of two 2⁶⁰ apart never overlap: every one stays a partial of its own.
  @Test func keepsManyPartials() {
    var rng = SplitMix64(seed: 0x5EED_0022_0003)
    let xs = (-16...16).map { Double(sign: .plus, exponent: 60 * $0, significand: 1) }
    for keep in xs.indices {
      var s = ExactSum()
      for x in xs.shuffled(using: &rng) { s.add(x) }
      for (i, x) in xs.enumerated().shuffled(using: &rng) where i != keep { s.add(-x) }
      #expect(s.value == xs[keep])
    }
  }

  @Test func mergingPartialSumsIsExact() {
    var a = ExactSum()
    var b = ExactSum()
    for x in [282.27, 0.1, 0.2] { a.add(x) }
    for x in [1e16, -1e16, 0.3] { b.add(x) }
    var merged = a
    merged.add(b)
    #expect(merged.value == Self.sum([0.3, 0.2, 0.1, 282.27]))
  }

  @Test func anOverflowIsInfinite() {
    #expect(Self.sum([.greatestFiniteMagnitude, .greatestFiniteMagnitude]) == .infinity)
    #expect(Self.sum([-.greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1]) == -.infinity)
  }

  static func pow10(_ e: Int) -> Double {
    var p = 1.0
    for _ in 0..<abs(e) { p *= 10 }
    return e < 0 ? 1 / p : p
  }
}

/// The same purchases in a window give the same sum however they split between the shorter
/// windows (in 1.0.0, 0.3 + (0.2 + 0.1) at first and (0.3 + 0.2) + 0.1 ten hours later).
@Suite struct WindowSumTests {
  @Test func aWindowSumDependsOnlyOnThePurchasesInIt() {
    let t = monday + .days(1)
    let purchases = [
      event(t - .hours(3), "purchase", ["amount": 0.1]),
      event(t - .hours(2), "purchase", ["amount": 0.2]),
      event(t, "purchase", ["amount": 0.3]),
    ]
    let now = evaluate(WindowedExtractor(), purchases)
    let later = evaluate(WindowedExtractor(), purchases + [event(t + .hours(10), "page_view")])
    #expect(now["purchase_amount_7d"] == .double(0.6))
    #expect(later["purchase_amount_7d"] == .double(0.6))
    #expect(later["purchase_amount_24h"] == .double(0.6))
  }
}
