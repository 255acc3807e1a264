import FeatureDB

/// The window lengths the built-in extractors read, each kept as a ``SlidingSpan`` of the
/// user's ``EventWindow`` with the parts its features need.
enum WindowSpan: Int, CaseIterable, Sendable {
  case fiveMinutes, halfHour, hour, sixHours, day, week

  /// The length.
  var length: TimeSpan {
    switch self {
    case .fiveMinutes: .minutes(5)
    case .halfHour: .minutes(30)
    case .hour: .hours(1)
    case .sixHours: .hours(6)
    case .day: .hours(24)
    case .week: .days(7)
    }
  }

  /// What its aggregate keeps beyond counts.
  var parts: SpanAggregate.Parts {
    switch self {
    case .fiveMinutes, .halfHour: []
    case .hour, .sixHours: [.amounts, .resources]
    case .day: [.amounts, .bytes, .resources, .apiResources, .changes]
    case .week: [.amounts, .resources, .places, .hours]
    }
  }

  /// The spans of the windowed features' `_1h`, `_6h`, `_24h` and `_7d`.
  static let standard: [WindowSpan] = [.hour, .sixHours, .day, .week]
}
