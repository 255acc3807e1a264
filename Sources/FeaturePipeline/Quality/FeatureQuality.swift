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
  /// Sum of the finite values.
  public var sum: Double = 0
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

  /// Mean of the finite values (nil without one).
  public var mean: Double? { finite == 0 ? nil : sum / Double(finite) }
}
