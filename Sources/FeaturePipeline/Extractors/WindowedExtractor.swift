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

  /// Appends the 14 values as of `c.time` (formulas in docs/pipeline.md), from the window's
  /// incremental aggregates: O(1) per event.
  public func extract(_ c: ExtractionContext, state: NoState, into values: inout [FeatureValue]) {
    let spans = WindowSpan.standard
    for s in spans { values.append(.int(Int64(c.aggregate(s).count))) }
    // Exact sums rounded once: a window's value depends only on the purchases in it.
    for s in spans { values.append(.double(c.aggregate(s).amounts.value)) }
    for s in spans { values.append(.int(Int64(c.aggregate(s).resources.count))) }
    let day = c.aggregate(.day)
    let e = Double(day.count + 2 * day.resources.count + 5 * day.count(.purchase))
    values.append(.double(100 * (1 - exp(-e / 25))))
    values.append(.bool(c.current.kind != .logout && c.aggregate(.halfHour).count >= 2))
  }
}
