import FeatureDB

/// Resource access, API diversity, transfer volume, failures, admin actions and how consistent
/// today's mix of activity is with the week's (`extract.behavioral`; docs/pipeline.md).
public struct BehavioralExtractor: FeatureExtractor {
  /// The name, `extract.behavioral`.
  public let name = "extract.behavioral"
  /// The version, `1.1.0` (producer `extract.behavioral@1.1.0`); 1.1.0 sums `data.bytes`
  /// exactly and rounds once, where 1.0.0 added them in time order.
  public let version = "1.1.0"
  /// Its 7 features, in the order ``extract(_:state:into:)`` appends them.
  public let features = [
    FeatureSpec(
      "resource_access_rate", .double, "events naming a data.resource in (t - 24h, t], per hour"),
    FeatureSpec(
      "unique_resources_count", .int,
      "distinct data.resource values over the user's whole history (KMV sketch, exact up to 64)"),
    FeatureSpec(
      "api_call_diversity", .double,
      "distinct resources of api_call events over api_call events in (t - 24h, t]; 0 without any"),
    FeatureSpec(
      "data_transfer_volume", .double,
      "exact sum of data.bytes in (t - 24h, t], rounded once, in MB (10^6 bytes)"),
    FeatureSpec(
      "failure_rate", .double,
      "failures over events whose data.result is success or failure, in (t - 24h, t]; 0 without any"
    ),
    FeatureSpec("admin_action_count", .int, "admin_action events in (t - 24h, t]"),
    FeatureSpec(
      "behavioral_consistency_score", .double,
      "1 - total variation distance between the event-type mix of (t - 24h, t] and (t - 7d, t]; unlisted types are one kind"
    ),
  ]

  /// The extractor (it has no options).
  public init() {}

  /// Adds the event's resource hash, if it has one, to the user's sketch of distinct resources.
  public func update(_ state: inout DistinctSketch, with event: BehaviorEvent, record: EventRecord)
  {
    if record.resource != 0 { state.insert(record.resource) }
  }

  /// Appends the 7 values as of `c.time` (formulas in docs/pipeline.md).
  public func extract(
    _ c: ExtractionContext, state: DistinctSketch, into values: inout [FeatureValue]
  ) {
    let day = c.aggregate(.day)
    let week = c.aggregate(.week)
    let apiCalls = day.count(.apiCall)
    values.append(.double(Double(day.withResource) / 24))
    values.append(.int(state.estimate))
    values.append(
      .double(apiCalls == 0 ? 0 : Double(day.apiResources.count) / Double(apiCalls)))
    values.append(.double(day.bytes.value / 1_000_000))
    values.append(.double(day.results == 0 ? 0 : Double(day.failures) / Double(day.results)))
    values.append(.int(Int64(day.count(.adminAction))))
    var distance = 0.0
    for k in EventKind.allCases.indices {
      distance += abs(
        Double(day.kinds[k]) / Double(day.count) - Double(week.kinds[k]) / Double(week.count))
    }
    values.append(.double(1 - distance / 2))
  }
}

/// A k-minimum-values distinct-count sketch (k = 64) over 64-bit hashes: it keeps the 64
/// smallest distinct hash values seen. Exact while at most 64 distinct values were seen (it knows: a 65th sets ``saturated``); beyond,
/// the estimate (k − 1) / (k-th smallest / 2⁶⁴) has a relative standard error of at most
/// 1 / √(k − 2) ≈ 12.7 %. At most 64 × 9 bytes persisted, 1 per value the user's window holds; insertion order does
/// not matter.
public struct DistinctSketch: ExtractorState, Hashable {
  /// Hashes kept: 64.
  public static let k = 64
  /// The smallest hashes seen, ascending.
  public private(set) var minima: [UInt64] = []
  /// More than k distinct values were seen (the count is an estimate from then on).
  public private(set) var saturated = false

  /// An empty sketch.
  public init() {}

  /// Adds a value by its 64-bit hash (mixed again with splitmix64 before it is compared and
  /// kept); a value already kept changes nothing.
  public mutating func insert(_ hash: UInt64) {
    let h = mix64(hash)
    var lo = 0
    var hi = minima.count
    while lo < hi {
      let mid = (lo + hi) / 2
      if minima[mid] < h { lo = mid + 1 } else { hi = mid }
    }
    if lo < minima.count, minima[lo] == h { return }
    if minima.count < Self.k {
      minima.insert(h, at: lo)
    } else {
      saturated = true
      if lo < Self.k {
        minima.insert(h, at: lo)
        minima.removeLast()
      }
    }
  }

  /// The number of distinct values: exact up to k (until ``saturated``), else the KMV estimate.
  public var estimate: Int64 {
    guard saturated else { return Int64(minima.count) }
    let fraction = (Double(minima[Self.k - 1]) + 1) / 18_446_744_073_709_551_616.0
    return Int64((Double(Self.k - 1) / fraction).rounded())
  }

  /// A byte for ``saturated``, a varint count, then each minimum as the hash it was mixed
  /// from (``StateWriter/hash(_:)``: 1 byte when the user's window holds that resource).
  public func encode(into w: inout StateWriter) {
    w.byte(saturated ? 1 : 0)
    w.varint(UInt64(minima.count))
    for m in minima { w.hash(unmix64(m)) }
  }

  /// Decodes what ``encode(into:)`` wrote (or, for a reader of format 2 states, the minima
  /// as 8 bytes each); throws ``PipelineError/corruptState(_:)`` for more than ``k`` values or
  /// truncated bytes.
  public init(from r: inout StateReader) throws(PipelineError) {
    saturated = try r.byte() != 0
    let n = try r.count()
    guard n <= Self.k else { throw .corruptState("sketch of \(n) values") }
    for _ in 0..<n { minima.append(r.compact ? mix64(try r.hash()) : try r.uint64()) }
  }
}
