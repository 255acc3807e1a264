/// A value encodes as an object with one key, its type: `{"double": 12.5}`, `{"int": 3}`,
/// `{"bool": true}`, `{"string": "loyal"}`, `{"bytes": [0, 255]}`, `{"embedding": [0.1, 0.2]}`.
extension FeatureValue: Codable {
  private enum Key: String, CodingKey {
    case int, double, bool, string, bytes, embedding
  }

  /// Encodes the value under its type's key.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: Key.self)
    switch self {
    case .int(let v): try c.encode(v, forKey: .int)
    case .double(let v): try c.encode(v, forKey: .double)
    case .bool(let v): try c.encode(v, forKey: .bool)
    case .string(let v): try c.encode(v, forKey: .string)
    case .bytes(let v): try c.encode(v, forKey: .bytes)
    case .embedding(let v): try c.encode(v, forKey: .embedding)
    }
  }

  /// Decodes an object with exactly one type key.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: Key.self)
    guard c.allKeys.count == 1, let key = c.allKeys.first else {
      throw DecodingError.dataCorrupted(
        .init(codingPath: c.codingPath, debugDescription: "a value is an object with one type key"))
    }
    switch key {
    case .int: self = .int(try c.decode(Int64.self, forKey: key))
    case .double: self = .double(try c.decode(Double.self, forKey: key))
    case .bool: self = .bool(try c.decode(Bool.self, forKey: key))
    case .string: self = .string(try c.decode(String.self, forKey: key))
    case .bytes: self = .bytes(try c.decode([UInt8].self, forKey: key))
    case .embedding: self = .embedding(try c.decode([Float].self, forKey: key))
    }
  }
}
