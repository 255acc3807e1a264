/// Quality figures of one feature over a pipeline run: every value evaluated for it (one per
/// event of one of its users, written or not), totals of the whole run, resumed parts included.
public struct FeatureQuality: Sendable, Hashable, Codable {
  /// The feature (prefixed name).
  public var feature: String
  /// Values evaluated.
  public var values: Int = 0
  /// NaN values.
  public var nan: Int = 0
  /// +∞ or −∞ values.
  public var infinite: Int = 0
  /// Smallest finite value (nil without one).
  public var min: Double?
  /// Largest finite value (nil without one).
  public var max: Double?
  /// Mean of the finite values (nil without one), kept as a running mean: each new value
  /// weighs 1/n, so it never overflows as a sum of large values would.
  public var mean: Double?
  /// Finite values per drift bin (see docs/pipeline.md, *Quality and drift*); bins without
  /// values are left out.
  public var bins: [Int: Int] = [:]
  /// Population stability index against the same feature in ``RunQuality/baselineRun``; nil
  /// without a baseline or without finite values in either run.
  public var drift: Double?

  /// An empty record of `feature`.
  public init(feature: String) { self.feature = feature }

  /// Finite values.
  public var finite: Int { values - nan - infinite }

  /// Share of the values that are finite (1 when there are none).
  public var completeness: Double { values == 0 ? 1 : Double(finite) / Double(values) }

  /// Counts the number `x`: a NaN or an infinity apart, a finite one into ``mean``, ``min`` and
  /// ``max``.
  ///
  /// - Returns: whether `x` is finite.
  mutating func add(_ x: Double) -> Bool {
    values += 1
    guard x.isFinite else {
      if x.isNaN { nan += 1 } else { infinite += 1 }
      return false
    }
    addToMean(x)
    min = Swift.min(min ?? x, x)
    max = Swift.max(max ?? x, x)
    return true
  }

  /// Adds the finite value `x` to ``mean`` (``values`` already counts it): mean + (x − mean)/n,
  /// or, when x − mean overflows (values near ±1.8e308 of both signs), the same weighted as
  /// mean·(n − 1)/n + x/n, which cannot.
  mutating func addToMean(_ x: Double) {
    guard let m = mean else {
      mean = x
      return
    }
    let n = Double(finite)
    let d = x - m
    mean = d.isFinite ? m + d / n : m * ((n - 1) / n) + x / n
  }

  private enum CodingKeys: String, CodingKey {
    case feature, values, nan, infinite, min, max, mean, sum, bins, drift
  }

  /// Decodes a record; one written before the mean was kept has the sum instead.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    feature = try c.decode(String.self, forKey: .feature)
    values = try c.decode(Int.self, forKey: .values)
    nan = try c.decode(Int.self, forKey: .nan)
    infinite = try c.decode(Int.self, forKey: .infinite)
    min = try c.decodeIfPresent(Double.self, forKey: .min)
    max = try c.decodeIfPresent(Double.self, forKey: .max)
    bins = try c.decode([Int: Int].self, forKey: .bins)
    drift = try c.decodeIfPresent(Double.self, forKey: .drift)
    mean = try c.decodeIfPresent(Double.self, forKey: .mean)
    if mean == nil, finite > 0, let sum = try c.decodeIfPresent(Double.self, forKey: .sum) {
      mean = sum / Double(finite)
    }
  }

  /// Encodes every figure (the mean, not a sum).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(feature, forKey: .feature)
    try c.encode(values, forKey: .values)
    try c.encode(nan, forKey: .nan)
    try c.encode(infinite, forKey: .infinite)
    try c.encodeIfPresent(min, forKey: .min)
    try c.encodeIfPresent(max, forKey: .max)
    try c.encodeIfPresent(mean, forKey: .mean)
    try c.encode(bins, forKey: .bins)
    try c.encodeIfPresent(drift, forKey: .drift)
  }
}
