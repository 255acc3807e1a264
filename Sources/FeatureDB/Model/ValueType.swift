/// The type of a feature's values, fixed when the feature is defined.
public enum ValueType: Hashable, Sendable, Codable, CustomStringConvertible {
  /// 64-bit signed integers.
  case int
  /// 64-bit floating-point numbers.
  case double
  /// Booleans.
  case bool
  /// UTF-8 strings.
  case string
  /// Opaque bytes.
  case bytes
  /// A fixed-length vector of `Float` with `dims` components.
  case embedding(dims: Int)

  /// `int`, `double`, `bool`, `string`, `bytes` or `embedding:DIMS`.
  public var description: String {
    switch self {
    case .int: "int"
    case .double: "double"
    case .bool: "bool"
    case .string: "string"
    case .bytes: "bytes"
    case .embedding(let dims): "embedding:\(dims)"
    }
  }

  /// Parses the form `description` prints (`embedding(384)` is accepted too).
  public init?(parsing text: String) {
    switch text {
    case "int": self = .int
    case "double": self = .double
    case "bool": self = .bool
    case "string": self = .string
    case "bytes": self = .bytes
    default:
      var rest = Substring(text)
      guard rest.hasPrefix("embedding") else { return nil }
      rest = rest.dropFirst("embedding".count)
      if rest.hasPrefix(":") {
        rest = rest.dropFirst()
      } else if rest.hasPrefix("("), rest.hasSuffix(")") {
        rest = rest.dropFirst().dropLast()
      } else {
        return nil
      }
      guard let dims = Int(rest), dims > 0 else { return nil }
      self = .embedding(dims: dims)
    }
  }
}

/// How an embedding feature's vectors are stored.
public enum EmbeddingEncoding: String, Hashable, Sendable, Codable, CaseIterable {
  /// Lossless 32-bit floats.
  case float32
  /// IEEE 754 half precision (lossy).
  case float16
  /// bfloat16, round to nearest even (lossy).
  case bfloat16
  /// Per-vector scalar quantization to 8 bits (lossy).
  case int8
}
