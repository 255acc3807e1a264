/// A feature as Feast names it — a feature view and a feature name — and the FeatureDB feature
/// it is: Feast's `view:name` is FeatureDB's `view.name`, and a FeatureDB feature `a.b.c` is
/// view `a.b`, name `c` (split at its last dot; a name without a dot is its own view).
struct FeastFeature: Sendable, Hashable {
  /// The FeatureDB feature name.
  let feature: String
  /// The Feast feature view.
  let view: String
  /// The feature's name within its view.
  let name: String

  /// The feature a Feast reference `view:name` names.
  ///
  /// - Throws: ``APIError`` (a malformed body) when `reference` is not `view:name`.
  init(reference: String) throws(APIError) {
    guard let colon = reference.firstIndex(of: ":"), colon != reference.startIndex,
      reference.index(after: colon) != reference.endIndex
    else {
      throw APIError.badBody(
        "features: '\(reference)' is not a Feast feature reference 'view:name'")
    }
    view = String(reference[..<colon])
    name = String(reference[reference.index(after: colon)...])
    feature = "\(view).\(name)"
  }

  /// The Feast names of FeatureDB feature `feature`.
  init(feature: String) {
    self.feature = feature
    if let dot = feature.lastIndex(of: "."), dot != feature.startIndex,
      feature.index(after: dot) != feature.endIndex
    {
      view = String(feature[..<dot])
      name = String(feature[feature.index(after: dot)...])
    } else {
      view = feature
      name = feature
    }
  }

  /// The column name in a response: `name`, or `view__name` with `full_feature_names`.
  func columnName(fullNames: Bool) -> String { fullNames ? "\(view)__\(name)" : name }
}
