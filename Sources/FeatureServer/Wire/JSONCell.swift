/// One cell of a Feast column: `null`, a Boolean, an integer, a number, a string, or a list of
/// numbers (a vector). Anything deeper is refused while decoding, so no body nests.
enum JSONCell: Decodable, Sendable, Equatable {
  case null
  case bool(Bool)
  case int(Int64)
  case double(Double)
  case string(String)
  case numbers([Double])

  init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let i = try? c.decode(Int64.self) {
      self = .int(i)
    } else if let d = try? c.decode(Double.self) {
      self = .double(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let v = try? c.decode([Double].self) {
      self = .numbers(v)
    } else {
      throw DecodingError.dataCorruptedError(
        in: c, debugDescription: "expected null, a Boolean, a number, a string or a list of numbers"
      )
    }
  }

  /// A short name of the cell's kind, for error messages.
  var kind: String {
    switch self {
    case .null: "null"
    case .bool: "a Boolean"
    case .int: "an integer"
    case .double: "a number"
    case .string: "a string"
    case .numbers: "a list of numbers"
    }
  }
}
