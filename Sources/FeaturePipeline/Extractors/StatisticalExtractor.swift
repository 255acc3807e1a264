import FeatureDB
import Foundation

/// Statistics of a numeric attribute of the user's events: `data.value`, else `data.amount`
/// (`extract.statistical`; formulas in docs/pipeline.md). Computed over the user's last
/// ``ValueHistory/capacity`` values at or before the evaluation time (kept in time order in
/// the extractor's state), so they are exact over those values.
public struct StatisticalExtractor: FeatureExtractor {
  /// The name, `extract.statistical`.
  public let name = "extract.statistical"
  /// The version, `1.0.0` (producer `extract.statistical@1.0.0`).
  public let version = "1.0.0"
  /// Its 17 features, in the order ``extract(_:state:into:)`` appends them.
  public let features = [
    FeatureSpec("value_mean", .double, "mean of the kept values"),
    FeatureSpec("value_std", .double, "population standard deviation of the kept values"),
    FeatureSpec("value_min", .double, "smallest kept value"),
    FeatureSpec("value_max", .double, "largest kept value"),
    FeatureSpec("value_median", .double, "median (linear interpolation) of the kept values"),
    FeatureSpec("value_q25", .double, "25th percentile (linear interpolation)"),
    FeatureSpec("value_q75", .double, "75th percentile (linear interpolation)"),
    FeatureSpec("value_iqr", .double, "value_q75 - value_q25"),
    FeatureSpec("trend_7d", .double, "least-squares slope per day of the values in (t - 7d, t]"),
    FeatureSpec("trend_30d", .double, "least-squares slope per day of the values in (t - 30d, t]"),
    FeatureSpec(
      "momentum", .double, "mean of the values in (t - 24h, t] minus mean of those in (t - 7d, t]"),
    FeatureSpec(
      "volatility", .double, "std / |mean| of the values in (t - 7d, t] (0 when the mean is 0)"),
    FeatureSpec(
      "z_score", .double, "(x - value_mean) / value_std, x the newest value (0 if std is 0)",
      derivedFrom: ["value_mean", "value_std"]),
    FeatureSpec("percentile_rank", .double, "share of the kept values <= x"),
    FeatureSpec(
      "ratio_to_mean", .double, "x / value_mean (0 if the mean is 0)", derivedFrom: ["value_mean"]),
    FeatureSpec("recency_days", .double, "days from the newest value's event to t"),
    FeatureSpec(
      "frequency", .double,
      "values per day: kept values in (t - 30d, t] / 30"),
  ]

  /// The extractor (it has no options).
  public init() {}

  /// The attribute an event contributes, if any.
  public static func value(_ event: BehaviorEvent) -> Double? {
    guard let v = event.data["value"]?.number ?? event.data["amount"]?.number, v.isFinite else {
      return nil
    }
    return v
  }

  /// Adds the event's value (``value(_:)``), if it has one, to the history at its event time.
  public func update(_ state: inout ValueHistory, with event: BehaviorEvent, record: EventRecord) {
    if let v = Self.value(event) { state.insert(time: record.time, value: v) }
  }

  /// Appends the 17 values as of `c.time` over the kept values at or before it (formulas in
  /// docs/pipeline.md); all 0 when there are none.
  public func extract(
    _ c: ExtractionContext, state: ValueHistory, into values: inout [FeatureValue]
  ) {
    let t = c.time.microseconds
    let n = state.end(atOrBefore: t)
    guard n > 0 else {
      values.append(contentsOf: repeatElement(.double(0), count: features.count))
      return
    }
    let xs = state.values[0..<n]
    let times = state.times[0..<n]
    let (mean, std) = meanAndStd(xs)
    let (q25, median, q75) = quartiles(xs)
    let x = xs.last!
    let day = 86_400_000_000.0
    /// Index of the first kept value in (t − w, t].
    func since(_ w: TimeSpan) -> Int { state.end(atOrBefore: t - w.microseconds) }
    let week = since(.days(7))
    let (weekMean, weekStd) = meanAndStd(xs[week...])
    let dayStart = since(.hours(24))
    values.append(.double(mean))
    values.append(.double(std))
    values.append(.double(xs.min()!))
    values.append(.double(xs.max()!))
    values.append(.double(median))
    values.append(.double(q25))
    values.append(.double(q75))
    values.append(.double(q75 - q25))
    values.append(.double(slope(times[week...], xs[week...], day)))
    let month = since(.days(30))
    values.append(.double(slope(times[month...], xs[month...], day)))
    values.append(.double(dayStart < n ? meanAndStd(xs[dayStart...]).mean - weekMean : 0))
    values.append(.double(weekMean == 0 ? 0 : weekStd / abs(weekMean)))
    values.append(.double(std == 0 ? 0 : (x - mean) / std))
    values.append(.double(Double(xs.count { $0 <= x }) / Double(n)))
    values.append(.double(mean == 0 ? 0 : x / mean))
    values.append(.double(Double(t - times.last!) / day))
    values.append(.double(Double(n - month) / 30))
  }
}

/// Mean and population standard deviation (in order: the same in every process). The values
/// are scaled by a power of two near the largest magnitude (exact), so no sum overflows, and
/// shifted by the first one, so a constant series has exactly its value as the mean and 0 as
/// the spread; a spread below the rounding of the values (4 ulps of the largest magnitude) is 0.
func meanAndStd(_ xs: ArraySlice<Double>) -> (mean: Double, std: Double) {
  guard let first = xs.first else { return (0, 0) }
  let largest = xs.reduce(0) { max($0, abs($1)) }
  let scale = largest.isNormal ? Double(sign: .plus, exponent: largest.exponent, significand: 1) : 1
  let n = Double(xs.count)
  let y0 = first / scale
  var sum = 0.0
  for x in xs { sum += x / scale - y0 }
  let shift = sum / n
  var squares = 0.0
  for x in xs {
    let d = (x / scale - y0) - shift
    squares += d * d
  }
  let std = (squares / n).squareRoot() * scale
  return ((y0 + shift) * scale, std <= 4 * largest.ulp ? 0 : std)
}

/// The 25th, 50th and 75th percentiles with linear interpolation between closest ranks
/// (NumPy's default): the p-quantile of sorted s is s[h⌋] + (h − ⌊h⌋)(s[⌊h⌋+1] − s[⌊h⌋]), h = (n−1)p.
func quartiles(_ xs: ArraySlice<Double>) -> (Double, Double, Double) {
  let s = xs.sorted()
  func q(_ p: Double) -> Double {
    let h = Double(s.count - 1) * p
    let lo = Int(h)
    let hi = min(lo + 1, s.count - 1)
    return s[lo] + (h - Double(lo)) * (s[hi] - s[lo])
  }
  return (q(0.25), q(0.5), q(0.75))
}

/// Least-squares slope of values over time, per `unit` microseconds; 0 with fewer than two
/// points or all at one time. Times are taken relative to the first (precision).
func slope(_ times: ArraySlice<Int64>, _ xs: ArraySlice<Double>, _ unit: Double) -> Double {
  guard xs.count >= 2, let t0 = times.first else { return 0 }
  let n = Double(xs.count)
  var st = 0.0
  var sx = 0.0
  for (t, x) in zip(times, xs) {
    st += Double(t - t0) / unit
    sx += x
  }
  let mt = st / n
  let mx = sx / n
  var cov = 0.0
  var varT = 0.0
  for (t, x) in zip(times, xs) {
    let d = Double(t - t0) / unit - mt
    cov += d * (x - mx)
    varT += d * d
  }
  return varT == 0 ? 0 : cov / varT
}

/// A user's last ``capacity`` values of the numeric attribute with their event times, in time
/// order (a late value is placed by its time; the oldest is dropped first). At most 64 × 4–19
/// bytes persisted.
public struct ValueHistory: ExtractorState, Hashable {
  /// Values kept: 64.
  public static let capacity = 64
  /// Event times of the kept values, µs since the Unix epoch, ascending.
  public private(set) var times: [Int64] = []
  /// The kept values, at the same indices as their ``times``.
  public private(set) var values: [Double] = []

  /// An empty history.
  public init() {}

  /// Index after the last value with time ≤ `t`.
  func end(atOrBefore t: Int64) -> Int {
    endIndex(count: times.count, atOrBefore: t) { times[$0] }
  }

  mutating func insert(time: Int64, value: Double) {
    let i = end(atOrBefore: time)
    times.insert(time, at: i)
    values.insert(value, at: i)
    if times.count > Self.capacity {
      times.removeFirst()
      values.removeFirst()
    }
  }

  /// A varint count, then per value a zigzag varint time delta and the value
  /// (``StateWriter/number(_:)``: 1 to 4 bytes for amounts in cents).
  public func encode(into w: inout StateWriter) {
    w.varint(UInt64(times.count))
    var previous: Int64 = 0
    for (t, v) in zip(times, values) {
      w.svarint(t &- previous)
      previous = t
      w.number(v)
    }
  }

  /// Decodes what ``encode(into:)`` wrote (or, for a reader of format 2 states, the values as
  /// 8 bytes); throws ``PipelineError/corruptState(_:)`` for more than ``capacity`` values or
  /// truncated bytes.
  public init(from r: inout StateReader) throws(PipelineError) {
    let n = try r.count()
    guard n <= Self.capacity else { throw .corruptState("\(n) values") }
    var t: Int64 = 0
    for _ in 0..<n {
      t = t &+ (try r.svarint())
      times.append(t)
      values.append(r.compact ? try r.number() : try r.double())
    }
  }
}
