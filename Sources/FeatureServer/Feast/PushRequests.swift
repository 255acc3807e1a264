/// The body of Feast's `POST /push` (Feast's `PushFeaturesRequest`): rows as columns for the
/// features of a push source. `to` is `online`, `offline` or `online_and_offline`: a FeatureDB
/// store serves both, so each writes the same versions.
struct PushRequest: ReaderDecodable, Sendable, Equatable {
  var pushSourceName: String
  var df: [String: [JSONCell]]
  var to: String?

  enum CodingKeys: String, CodingKey {
    case df, to
    case pushSourceName = "push_source_name"
  }

  /// The `to` values Feast accepts.
  static let destinations: Set<String> = ["online", "offline", "online_and_offline"]

  static func read(_ reader: inout JSONReader) -> Self? {
    var (name, df, to): (String?, [String: [JSONCell]]?, String?)
    let read = reader.object { reader, key in
      switch CodingKeys(rawValue: key) {
      case .pushSourceName?:
        name = reader.string()
        return name != nil
      case .df?:
        df = reader.columns()
        return df != nil
      case .to?:
        to = reader.string()
        return to != nil
      case nil: return reader.skipScalar()
      }
    }
    guard read, let name, let df else { return nil }
    return Self(pushSourceName: name, df: df, to: to)
  }
}

/// The body of Feast's `POST /write-to-online-store` (Feast's `WriteToFeatureStoreRequest`), as
/// Feast's remote online store client sends it from `online_write_batch`.
struct WriteToOnlineStoreRequest: ReaderDecodable, Sendable, Equatable {
  var featureViewName: String
  var df: [String: [JSONCell]]

  enum CodingKeys: String, CodingKey {
    case df
    case featureViewName = "feature_view_name"
  }

  static func read(_ reader: inout JSONReader) -> Self? {
    var (name, df): (String?, [String: [JSONCell]]?)
    let read = reader.object { reader, key in
      switch CodingKeys(rawValue: key) {
      case .featureViewName?:
        name = reader.string()
        return name != nil
      case .df?:
        df = reader.columns()
        return df != nil
      case nil: return reader.skipScalar()
      }
    }
    guard read, let name, let df else { return nil }
    return Self(featureViewName: name, df: df)
  }
}
