/// One feature value.
public enum FeatureValue: Hashable, Sendable, CustomStringConvertible {
  case int(Int64)
  case double(Double)
  case bool(Bool)
  case string(String)
  case bytes([UInt8])
  case embedding([Float])

  /// The value as `Int` when it is an `int`.
  public var int: Int? { if case .int(let v) = self { Int(exactly: v) } else { nil } }
  /// The value as `Double` when it is a `double` (or an `int`, converted).
  public var double: Double? {
    switch self {
    case .double(let v): v
    case .int(let v): Double(v)
    default: nil
    }
  }
  public var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
  public var string: String? { if case .string(let v) = self { v } else { nil } }
  public var bytes: [UInt8]? { if case .bytes(let v) = self { v } else { nil } }
  public var embedding: [Float]? { if case .embedding(let v) = self { v } else { nil } }

  /// The type this value has (an embedding's dims are its length).
  public var type: ValueType {
    switch self {
    case .int: .int
    case .double: .double
    case .bool: .bool
    case .string: .string
    case .bytes: .bytes
    case .embedding(let v): .embedding(dims: v.count)
    }
  }

  public var description: String {
    switch self {
    case .int(let v): String(v)
    case .double(let v): String(v)
    case .bool(let v): v ? "true" : "false"
    case .string(let v): v
    case .bytes(let v): "0x" + v.map { String($0, radix: 16).leftPadded(2) }.joined()
    case .embedding(let v): "[" + v.map { String($0) }.joined(separator: ",") + "]"
    }
  }
}

extension String {
  func leftPadded(_ width: Int, with pad: Character = "0") -> String {
    count >= width ? self : String(repeating: pad, count: width - count) + self
  }
}

/// A Swift type that converts to and from a ``FeatureValue``; lets reads return `Double?`, `Int?`…
public protocol FeatureValueConvertible: Sendable {
  var featureValue: FeatureValue { get }
  init?(featureValue: FeatureValue)
}

extension Int: FeatureValueConvertible {
  public var featureValue: FeatureValue { .int(Int64(self)) }
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.int else { return nil }
    self = v
  }
}
extension Int64: FeatureValueConvertible {
  public var featureValue: FeatureValue { .int(self) }
  public init?(featureValue: FeatureValue) {
    guard case .int(let v) = featureValue else { return nil }
    self = v
  }
}
extension Double: FeatureValueConvertible {
  public var featureValue: FeatureValue { .double(self) }
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.double else { return nil }
    self = v
  }
}
extension Bool: FeatureValueConvertible {
  public var featureValue: FeatureValue { .bool(self) }
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.bool else { return nil }
    self = v
  }
}
extension String: FeatureValueConvertible {
  public var featureValue: FeatureValue { .string(self) }
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.string else { return nil }
    self = v
  }
}
extension Array: FeatureValueConvertible where Element: FeatureVectorElement {
  public var featureValue: FeatureValue { Element.featureValue(self) }
  public init?(featureValue: FeatureValue) {
    guard let v = Element.array(from: featureValue) else { return nil }
    self = v
  }
}

/// Array elements that map to a feature type: `UInt8` (bytes) and `Float` (embeddings).
public protocol FeatureVectorElement: Sendable {
  static func featureValue(_ array: [Self]) -> FeatureValue
  static func array(from value: FeatureValue) -> [Self]?
}
extension UInt8: FeatureVectorElement {
  public static func featureValue(_ array: [UInt8]) -> FeatureValue { .bytes(array) }
  public static func array(from value: FeatureValue) -> [UInt8]? { value.bytes }
}
extension Float: FeatureVectorElement {
  public static func featureValue(_ array: [Float]) -> FeatureValue { .embedding(array) }
  public static func array(from value: FeatureValue) -> [Float]? { value.embedding }
}
