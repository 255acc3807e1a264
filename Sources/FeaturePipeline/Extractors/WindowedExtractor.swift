import FeatureDB
import Foundation

/// The four window lengths of the windowed features.
let standardWindows: [(suffix: String, span: TimeSpan)] = [
  ("1h", .hours(1)), ("6h", .hours(6)), ("24h", .hours(24)), ("7d", .days(7)),
]

/// Activity, purchases and distinct resources over 1 h, 6 h, 24 h and 7 days, an engagement
/// score and whether a session is active (`extract.windowed`; formulas in docs/pipeline.md).
/// Every window of length w at time t covers the user's events with time in (t − w, t], exactly.
public struct WindowedExtractor: FeatureExtractor {
  /// The name, `extract.windowed`.
  public let name = "extract.windowed"
  /// The version, `1.1.0` (producer `extract.windowed@1.1.0`); 1.1.0 sums amounts exactly and
  /// rounds once, where 1.0.0's sums depended on how the windows nested.
  public let version = "1.1.0"
  /// Its 14 features: `activity_count_`, `purchase_amount_` and `distinct_resources_` for `1h`,
  /// `6h`, `24h` and `7d`, then `engagement_score` and `is_active_session`.
  public let features: [FeatureSpec] =
    standardWindows.map {
      FeatureSpec("activity_count_\($0.suffix)", .int, "events in (t - \($0.suffix), t]")
    }
    + standardWindows.map {
      FeatureSpec(
        "purchase_amount_\($0.suffix)", .double,
        "sum of data.amount of purchases in (t - \($0.suffix), t]")
    }
    + standardWindows.map {
      FeatureSpec(
        "distinct_resources_\($0.suffix)", .int,
        "distinct data.resource values in (t - \($0.suffix), t]")
    } + [
      FeatureSpec(
        "engagement_score", .double,
        "100 * (1 - exp(-E / 25)), E = activity_count_24h + 2 * distinct_resources_24h + 5 * purchases in 24h",
        derivedFrom: ["activity_count_24h", "distinct_resources_24h"]),
      FeatureSpec(
        "is_active_session", .bool,
        "the event is not a logout and the user has another event in (t - 30m, t]"),
    ]

  /// The extractor (it has no options).
  public init() {}

  /// Appends the 14 values as of `c.time` (formulas in docs/pipeline.md).
  public func extract(_ c: ExtractionContext, state: NoState, into values: inout [FeatureValue]) {
    let records = c.window.records
    let t = c.time.microseconds
    // One backward pass from the current event over the longest window; each shorter window is
    // the suffix of records newer than its own bound.
    var counts = [Int64](repeating: 0, count: 4)
    var amounts = [ExactSum](repeating: ExactSum(), count: 4)
    var distinct = [Int64](repeating: 0, count: 4)
    var purchases24h: Int64 = 0
    let hour = TimeSpan.hours(1).microseconds
    let bounds = (t - hour, t - 6 * hour, t - 24 * hour, t - 168 * hour)
    let first = c.range(.days(7)).lowerBound
    ScratchSet.with(capacity: c.end - first) { seen in
      var i = c.end - 1
      while i >= first {
        let r = records[i]
        let isNew = r.resource != 0 && seen.insert(r.resource)
        // Windows are nested: the record is in window w and every longer one.
        let w = r.time > bounds.0 ? 0 : r.time > bounds.1 ? 1 : r.time > bounds.2 ? 2 : 3
        counts[w] += 1
        if r.kind == .purchase {
          amounts[w].add(r.amount)
          if w <= 2 { purchases24h += 1 }
        }
        if isNew { distinct[w] += 1 }
        i -= 1
      }
    }
    // From "newest window holding it" to cumulative counts. Amounts are exact sums rounded
    // once: a window's value depends only on the purchases in it, not on how they split
    // between the shorter windows.
    for w in 1..<4 {
      counts[w] += counts[w - 1]
      amounts[w].add(amounts[w - 1])
      distinct[w] += distinct[w - 1]
    }
    for w in 0..<4 { values.append(.int(counts[w])) }
    for w in 0..<4 { values.append(.double(amounts[w].value)) }
    for w in 0..<4 { values.append(.int(distinct[w])) }
    let e = Double(counts[2] + 2 * distinct[2] + 5 * purchases24h)
    values.append(.double(100 * (1 - exp(-e / 25))))
    let recent = c.range(.minutes(30)).count
    values.append(.bool(c.current.kind != .logout && recent >= 2))
  }
}
