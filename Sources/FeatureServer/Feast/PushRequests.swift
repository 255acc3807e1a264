/// The body of Feast's `POST /push` (Feast's `PushFeaturesRequest`): rows as columns for the
/// features of a push source. `to` is `online`, `offline` or `online_and_offline`: a FeatureDB
/// store serves both, so each writes the same versions.
struct PushRequest: Decodable, Sendable {
  var pushSourceName: String
  var df: [String: [JSONCell]]
  var to: String?

  enum CodingKeys: String, CodingKey {
    case df, to
    case pushSourceName = "push_source_name"
  }

  /// The `to` values Feast accepts.
  static let destinations: Set<String> = ["online", "offline", "online_and_offline"]
}

/// The body of Feast's `POST /write-to-online-store` (Feast's `WriteToFeatureStoreRequest`), as
/// Feast's remote online store client sends it from `online_write_batch`.
struct WriteToOnlineStoreRequest: Decodable, Sendable {
  var featureViewName: String
  var df: [String: [JSONCell]]

  enum CodingKeys: String, CodingKey {
    case df
    case featureViewName = "feature_view_name"
  }
}
