/// One feature value.
public enum FeatureValue: Hashable, Sendable, CustomStringConvertible {
  /// A 64-bit signed integer.
  case int(Int64)
  /// A 64-bit floating-point number.
  case double(Double)
  /// A Boolean.
  case bool(Bool)
  /// A UTF-8 string.
  case string(String)
  /// Opaque bytes.
  case bytes([UInt8])
  /// An embedding vector of `Float` components.
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
  /// The value as `Bool` when it is a `bool`.
  public var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
  /// The value as `String` when it is a `string`.
  public var string: String? { if case .string(let v) = self { v } else { nil } }
  /// The bytes when it is `bytes`.
  public var bytes: [UInt8]? { if case .bytes(let v) = self { v } else { nil } }
  /// The vector when it is an `embedding`.
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

  /// The value as text: numbers and strings as is, `true`/`false`, bytes as `0x…` hex, an
  /// embedding as `[x,y,…]`.
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
  /// This value as a ``FeatureValue``.
  var featureValue: FeatureValue { get }
  /// Converts from a ``FeatureValue``; nil when the value has another type.
  init?(featureValue: FeatureValue)
}

extension Int: FeatureValueConvertible {
  /// The integer as `.int`.
  public var featureValue: FeatureValue { .int(Int64(self)) }
  /// The value of an `.int` that fits in `Int`; nil for other values.
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.int else { return nil }
    self = v
  }
}
extension Int64: FeatureValueConvertible {
  /// The integer as `.int`.
  public var featureValue: FeatureValue { .int(self) }
  /// The value of an `.int`; nil for other values.
  public init?(featureValue: FeatureValue) {
    guard case .int(let v) = featureValue else { return nil }
    self = v
  }
}
extension Double: FeatureValueConvertible {
  /// The value as `.double`.
  public var featureValue: FeatureValue { .double(self) }
  /// The value of a `.double`, or of an `.int` converted to `Double`; nil for other values.
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.double else { return nil }
    self = v
  }
}
extension Bool: FeatureValueConvertible {
  /// The value as `.bool`.
  public var featureValue: FeatureValue { .bool(self) }
  /// The value of a `.bool`; nil for other values.
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.bool else { return nil }
    self = v
  }
}
extension String: FeatureValueConvertible {
  /// The value as `.string`.
  public var featureValue: FeatureValue { .string(self) }
  /// The value of a `.string`; nil for other values.
  public init?(featureValue: FeatureValue) {
    guard let v = featureValue.string else { return nil }
    self = v
  }
}
extension Array: FeatureValueConvertible where Element: FeatureVectorElement {
  /// `[UInt8]` as `.bytes`, `[Float]` as `.embedding`.
  public var featureValue: FeatureValue { Element.featureValue(self) }
  /// The elements of a `.bytes` (for `[UInt8]`) or an `.embedding` (for `[Float]`); nil for
  /// other values.
  public init?(featureValue: FeatureValue) {
    guard let v = Element.array(from: featureValue) else { return nil }
    self = v
  }
}

/// Array elements that map to a feature type: `UInt8` (bytes) and `Float` (embeddings).
public protocol FeatureVectorElement: Sendable {
  /// Wraps an array of this element type as a ``FeatureValue``.
  static func featureValue(_ array: [Self]) -> FeatureValue
  /// The array a ``FeatureValue`` holds when its case matches this element type; nil otherwise.
  static func array(from value: FeatureValue) -> [Self]?
}
extension UInt8: FeatureVectorElement {
  /// Wraps the bytes as `.bytes`.
  public static func featureValue(_ array: [UInt8]) -> FeatureValue { .bytes(array) }
  /// The bytes of a `.bytes` value; nil for other values.
  public static func array(from value: FeatureValue) -> [UInt8]? { value.bytes }
}
extension Float: FeatureVectorElement {
  /// Wraps the vector as `.embedding`.
  public static func featureValue(_ array: [Float]) -> FeatureValue { .embedding(array) }
  /// The vector of an `.embedding` value; nil for other values.
  public static func array(from value: FeatureValue) -> [Float]? { value.embedding }
}
