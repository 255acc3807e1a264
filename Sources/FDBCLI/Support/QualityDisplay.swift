import FeatureDB
import FeaturePipeline
import Foundation

/// How a pipeline run's quality and drift are shown (`fdb run show`, `fdb pipeline run`).
public enum QualityDisplay {
  /// A run's quality and drift per feature, as `fdb run show --json` prints it.
  public static func json(_ q: RunQuality) -> JSON {
    .object([
      ("baselineRun", Display.json(q.baselineRun)),
      (
        "features",
        .array(
          q.features.map { f in
            .object([
              ("feature", .string(f.feature)), ("values", .int(f.values)),
              ("completeness", .double(f.completeness)), ("nan", .int(f.nan)),
              ("infinite", .int(f.infinite)), ("min", .optional(f.min) { .double($0) }),
              ("max", .optional(f.max) { .double($0) }),
              ("mean", .optional(f.mean) { .double($0) }),
              ("drift", .optional(f.drift) { .double($0) }),
            ])
          })
      ),
    ])
  }

  /// One row per feature: values, completeness, NaN and ∞ counts, range, mean and drift.
  static func table(_ q: RunQuality) -> Table {
    var table = Table([
      .init(title: "FEATURE"), .init(title: "VALUES", rightAligned: true),
      .init(title: "COMPLETE", rightAligned: true), .init(title: "NAN", rightAligned: true),
      .init(title: "INF", rightAligned: true), .init(title: "MIN", rightAligned: true),
      .init(title: "MAX", rightAligned: true), .init(title: "MEAN", rightAligned: true),
      .init(title: "DRIFT", rightAligned: true),
    ])
    for f in q.features {
      table.append([
        .init(f.feature), .init(String(f.values)), .init(percent(f.completeness)),
        .init(String(f.nan)), .init(String(f.infinite)), .init(number(f.min)),
        .init(number(f.max)), .init(number(f.mean)), .init(number(f.drift)),
      ])
    }
    return table
  }

  /// A one-line summary: incomplete features and the largest drift.
  static func summary(_ q: RunQuality) -> String {
    let incomplete = q.features.filter { $0.completeness < 1 }
    var parts = [
      incomplete.isEmpty
        ? "\(q.features.count) features, all values finite"
        : "\(incomplete.count) of \(q.features.count) features with NaN or ∞ values ("
          + incomplete.prefix(3).map(\.feature).joined(separator: ", ") + ")"
    ]
    if let baseline = q.baselineRun {
      if let worst = q.features.filter({ $0.drift != nil }).max(by: { $0.drift! < $1.drift! }) {
        parts.append(
          "largest drift vs \(baseline): \(worst.feature) \(number(worst.drift)) (PSI)")
      }
    } else {
      parts.append("no earlier run to measure drift against")
    }
    return parts.joined(separator: "; ")
  }

  private static func percent(_ x: Double) -> String { String(format: "%.1f%%", x * 100) }

  private static func number(_ x: Double?) -> String {
    guard let x else { return "-" }
    return abs(x) >= 1e6 || (x != 0 && abs(x) < 1e-3)
      ? String(format: "%.3g", x) : String(format: "%.3f", x)
  }
}
