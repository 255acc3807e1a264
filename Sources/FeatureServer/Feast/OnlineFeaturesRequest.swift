/// The body of Feast's `POST /get-online-features` (Feast's `GetOnlineFeaturesRequest`): entity
/// rows as columns, and either feature references or a feature service. Fields Feast's client
/// also sends (`include_feature_view_version_metadata`) are accepted and ignored.
struct OnlineFeaturesRequest: ReaderDecodable, Sendable, Equatable {
  var entities: [String: [JSONCell]]
  var features: [String]?
  var featureService: String?
  var fullFeatureNames: Bool?

  enum CodingKeys: String, CodingKey {
    case entities, features
    case featureService = "feature_service"
    case fullFeatureNames = "full_feature_names"
  }

  static func read(_ reader: inout JSONReader) -> Self? {
    var body = Self(entities: [:])
    var entities: [String: [JSONCell]]?
    let read = reader.object { reader, key in
      switch CodingKeys(rawValue: key) {
      case .entities?:
        entities = reader.columns()
        return entities != nil
      case .features?:
        body.features = reader.strings()
        return body.features != nil
      case .featureService?:
        body.featureService = reader.string()
        return body.featureService != nil
      case .fullFeatureNames?:
        body.fullFeatureNames = reader.bool()
        return body.fullFeatureNames != nil
      case nil: return reader.skipScalar()
      }
    }
    guard read, let entities else { return nil }
    body.entities = entities
    return body
  }
}

/// The FeatureDB entity id of a Feast entity key value: a string as it is, an integer in decimal.
/// `field` names the cell in the error (`entities.user_id[3]`; made only for an error).
func entityID(_ cell: JSONCell, field: @autoclosure () -> String) throws(APIError) -> String {
  switch cell {
  case .string(let s): return s
  case .int(let i): return String(i)
  default:
    throw APIError.badBody(
      "\(field()): an entity key is a string or an integer, got \(cell.kind)")
  }
}
