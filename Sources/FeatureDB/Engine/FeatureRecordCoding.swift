/// Turns an `Encodable` struct into feature values by property name (one level, no nesting).
enum FeatureRecordEncoder {
  static func encode<T: Encodable>(_ object: T) throws -> [(String, FeatureValue)] {
    let encoder = RecordEncoder()
    try object.encode(to: encoder)
    return encoder.storage.values
  }

  final class Storage {
    var values: [(String, FeatureValue)] = []
  }

  struct RecordEncoder: Encoder {
    let storage = Storage()
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
      KeyedEncodingContainer(Container<Key>(storage: storage))
    }
    func unkeyedContainer() -> any UnkeyedEncodingContainer {
      fatalError("FeatureDB records are keyed structs")
    }
    func singleValueContainer() -> any SingleValueEncodingContainer {
      fatalError("FeatureDB records are keyed structs")
    }
  }

  struct Container<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let storage: Storage
    var codingPath: [any CodingKey] = []
    mutating func encodeNil(forKey key: Key) throws {}
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
      guard
        let v = (value as? any FeatureValueConvertible)?.featureValue
          ?? (value as? Float).map({ .double(Double($0)) })
      else {
        throw EncodingError.invalidValue(
          value, .init(codingPath: [key], debugDescription: "\(T.self) is not a feature value type")
        )
      }
      storage.values.append((key.stringValue, v))
    }
    mutating func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key)
      -> KeyedEncodingContainer<N>
    {
      fatalError("FeatureDB records cannot nest (property '\(key.stringValue)')")
    }
    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
      fatalError("FeatureDB records cannot nest (property '\(key.stringValue)')")
    }
    mutating func superEncoder() -> any Encoder { fatalError("FeatureDB records cannot nest") }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
      fatalError("FeatureDB records cannot nest")
    }
  }
}

/// Builds a `Decodable` struct from feature values by property name; missing features decode as
/// nil for optionals and throw `DecodingError.keyNotFound` otherwise.
enum FeatureRecordDecoder {
  static func decode<T: Decodable>(_ type: T.Type, from values: [String: FeatureValue]) throws -> T
  {
    try T(from: RecordDecoder(values: values))
  }

  struct RecordDecoder: Decoder {
    let values: [String: FeatureValue]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] = [:]
    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
      KeyedDecodingContainer(Container<Key>(values: values))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
      throw DecodingError.typeMismatch(
        [Any].self, .init(codingPath: [], debugDescription: "FeatureDB records are keyed structs"))
    }
    func singleValueContainer() throws -> any SingleValueDecodingContainer {
      throw DecodingError.typeMismatch(
        Any.self, .init(codingPath: [], debugDescription: "FeatureDB records are keyed structs"))
    }
  }

  struct Container<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let values: [String: FeatureValue]
    var codingPath: [any CodingKey] = []
    var allKeys: [Key] { values.keys.compactMap { Key(stringValue: $0) } }
    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }
    func decodeNil(forKey key: Key) throws -> Bool { values[key.stringValue] == nil }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
      guard let value = values[key.stringValue] else {
        throw DecodingError.keyNotFound(
          key,
          .init(codingPath: [key], debugDescription: "no value for feature '\(key.stringValue)'"))
      }
      if let convertible = T.self as? any FeatureValueConvertible.Type,
        let v = convertible.init(featureValue: value)
      {
        return v as! T
      }
      if T.self == Float.self, let d = value.double { return Float(d) as! T }
      throw DecodingError.typeMismatch(
        T.self,
        .init(
          codingPath: [key], debugDescription: "feature '\(key.stringValue)' holds \(value.type)"))
    }
    func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key) throws
      -> KeyedDecodingContainer<N>
    {
      throw DecodingError.typeMismatch(
        N.self, .init(codingPath: [key], debugDescription: "FeatureDB records cannot nest"))
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
      throw DecodingError.typeMismatch(
        [Any].self, .init(codingPath: [key], debugDescription: "FeatureDB records cannot nest"))
    }
    func superDecoder() throws -> any Decoder { RecordDecoder(values: values) }
    func superDecoder(forKey key: Key) throws -> any Decoder { RecordDecoder(values: values) }
  }
}
