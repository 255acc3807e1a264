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
  /// The column's name in a response as JSON text, quoted and escaped: `"name"`, and
  /// `"view__name"` with `full_feature_names` (written once, not at every read).
  let jsonName: [UInt8], jsonFullName: [UInt8]

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
    let view = String(reference[..<colon])
    let name = String(reference[reference.index(after: colon)...])
    self.init(feature: "\(view).\(name)", view: view, name: name)
  }

  /// The Feast names of FeatureDB feature `feature`.
  init(feature: String) {
    if let dot = feature.lastIndex(of: "."), dot != feature.startIndex,
      feature.index(after: dot) != feature.endIndex
    {
      self.init(
        feature: feature, view: String(feature[..<dot]),
        name: String(feature[feature.index(after: dot)...]))
    } else {
      self.init(feature: feature, view: feature, name: feature)
    }
  }

  private init(feature: String, view: String, name: String) {
    self.feature = feature
    self.view = view
    self.name = name
    func json(_ text: String) -> [UInt8] {
      var out = JSONWriter(capacity: text.utf8.count + 2)
      out.string(text)
      return out.bytes
    }
    jsonName = json(name)
    jsonFullName = json("\(view)__\(name)")
  }

  /// The column's name in a response as JSON text: ``jsonName``, or ``jsonFullName`` with
  /// `full_feature_names`.
  func jsonColumnName(fullNames: Bool) -> [UInt8] { fullNames ? jsonFullName : jsonName }
}
