import Foundation

/// The fixed bins the drift of a feature is measured over: the same for every run, so any two
/// runs compare (docs/pipeline.md, *Quality and drift*).
///
/// A finite value x falls in bin 0 when x = 0; for 0 < |x| < 1 in bin ⌈10·|x|⌉ (1…10, tenths);
/// for |x| ≥ 1 in bin 11 + min(⌊log₂|x|⌋, 63) (11…74, powers of two); negative values in the
/// bin of |x|, negated. NaN and ±∞ are in no bin (they are counted apart).
enum DriftBins {
  /// Bins of one sign, zero excluded.
  static let perSign = 74
  /// Every bin: −74…74.
  static let count = 2 * perSign + 1

  /// The bin of a finite `x`, in −74…74.
  static func bin(_ x: Double) -> Int {
    let a = abs(x)
    let b: Int
    if a == 0 {
      return 0
    } else if a < 1 {
      b = Swift.max(1, Int((a * 10).rounded(.up)))  // a·10 ≤ 10 since a < 1
    } else {
      b = 11 + Swift.min(Int(a.exponent), 63)
    }
    return x < 0 ? -Swift.min(b, perSign) : Swift.min(b, perSign)
  }

  /// The smallest share a bin is counted with in the stability index (a bin empty in one run).
  static let floor = 0.0001

  /// The population stability index of `current` against `baseline` (finite-value counts per
  /// bin): Σ (pᵢ − qᵢ)·ln(pᵢ / qᵢ) over the bins where either has values, p and q the shares of
  /// the two runs floored at ``floor``; nil when either has no finite value.
  static func stabilityIndex(_ current: [Int: Int], _ baseline: [Int: Int]) -> Double? {
    let n = current.values.reduce(0, +)
    let m = baseline.values.reduce(0, +)
    guard n > 0, m > 0 else { return nil }
    var psi = 0.0
    for bin in Set(current.keys).union(baseline.keys).sorted() {
      let p = Swift.max(Double(current[bin] ?? 0) / Double(n), floor)
      let q = Swift.max(Double(baseline[bin] ?? 0) / Double(m), floor)
      psi += (p - q) * log(p / q)
    }
    return psi
  }
}
