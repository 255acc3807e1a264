import FeatureDB
import Foundation

/// One raw behaviour event: the pipeline's input, one JSON object per line.
///
/// ```json
/// {"event_id":"e1","user_id":"u1","session_id":"s1","timestamp":"2026-01-05T10:30:00Z",
///  "event_type":"purchase","source":"web","data":{"amount":12.5,"result":"success"}}
/// ```
///
/// Required: `event_id`, `user_id` (both non-empty), `timestamp` (ISO-8601, see
/// `Timestamp(iso8601:)`) and `event_type` (`login`, `logout`, `page_view`,
/// `api_call`, `file_access`, `data_transfer`, `admin_action`, `purchase`, `click` or any other
/// string). Optional: `session_id`, `source`, `data`, `device_info`, `location_info` (maps of
/// string, number or bool).
public struct BehaviorEvent: Codable, Sendable, Hashable {
  /// `event_id`: the event's id, non-empty; the lineage input (`raw:<id>`) of the versions it
  /// causes.
  public var eventID: String
  /// `user_id`: the entity of every feature the event updates, non-empty.
  public var userID: String
  /// `session_id`, nil when absent.
  public var sessionID: String?
  /// `timestamp`: when the event happened; its user's features are evaluated as of it.
  public var timestamp: Timestamp
  /// `event_type` as given; ``EventKind`` maps the known ones.
  public var eventType: String
  /// `source`, "" when absent.
  public var source: String
  /// `data`, empty when absent. The built-in extractors read `resource` (else `endpoint`),
  /// `result`, `amount`, `bytes`, `value`, `source_ip` and `user_agent`.
  public var data: [String: EventValue]
  /// `device_info`, nil when absent (see ``device``).
  public var deviceInfo: [String: EventValue]?
  /// `location_info`, nil when absent (see ``location``).
  public var locationInfo: [String: EventValue]?

  /// An event with these fields; the optional ones default to absent (`source` to ""). Unlike
  /// decoding, this does not check that `eventID` and `userID` are non-empty.
  public init(
    eventID: String, userID: String, sessionID: String? = nil, timestamp: Timestamp,
    eventType: String, source: String = "", data: [String: EventValue] = [:],
    deviceInfo: [String: EventValue]? = nil, locationInfo: [String: EventValue]? = nil
  ) {
    self.eventID = eventID
    self.userID = userID
    self.sessionID = sessionID
    self.timestamp = timestamp
    self.eventType = eventType
    self.source = source
    self.data = data
    self.deviceInfo = deviceInfo
    self.locationInfo = locationInfo
  }

  enum CodingKeys: String, CodingKey {
    case eventID = "event_id"
    case userID = "user_id"
    case sessionID = "session_id"
    case timestamp
    case eventType = "event_type"
    case source, data
    case deviceInfo = "device_info"
    case locationInfo = "location_info"
  }

  /// Longest `user_id` in UTF-8 bytes: the store's limit for an entity id, which the user id
  /// becomes.
  public static let maxUserIDLength = 400

  static func userIDTooLong(_ id: String) -> String {
    "user_id is \(id.utf8.count) bytes long; the limit is \(maxUserIDLength)"
  }

  /// Decodes the JSON object described above (unknown fields are ignored).
  ///
  /// - Throws: `DecodingError` when a required field is missing, `event_id` or `user_id` is
  ///   empty, `user_id` is longer than ``maxUserIDLength`` bytes, the timestamp is not ISO-8601 or lies outside `Timestamp.isValid`, or a
  ///   value has the wrong type.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    eventID = try c.decode(String.self, forKey: .eventID)
    userID = try c.decode(String.self, forKey: .userID)
    for (key, value) in [(CodingKeys.eventID, eventID), (.userID, userID)] where value.isEmpty {
      throw DecodingError.dataCorruptedError(
        forKey: key, in: c, debugDescription: "\(key.rawValue) is empty")
    }
    if userID.utf8.count > Self.maxUserIDLength {
      throw DecodingError.dataCorruptedError(
        forKey: .userID, in: c, debugDescription: Self.userIDTooLong(userID))
    }
    sessionID = try c.decodeIfPresent(String.self, forKey: .sessionID)
    let text = try c.decode(String.self, forKey: .timestamp)
    guard let time = Timestamp(iso8601: text), time.isValid else {
      throw DecodingError.dataCorruptedError(
        forKey: .timestamp, in: c, debugDescription: "unparsable timestamp '\(text)'")
    }
    timestamp = time
    eventType = try c.decode(String.self, forKey: .eventType)
    source = try c.decodeIfPresent(String.self, forKey: .source) ?? ""
    data = try c.decodeIfPresent([String: EventValue].self, forKey: .data) ?? [:]
    deviceInfo = try c.decodeIfPresent([String: EventValue].self, forKey: .deviceInfo)
    locationInfo = try c.decodeIfPresent([String: EventValue].self, forKey: .locationInfo)
  }

  /// Encodes the JSON object: `timestamp` as ISO-8601, `source` and `data` always, the optional
  /// fields only when present.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(eventID, forKey: .eventID)
    try c.encode(userID, forKey: .userID)
    try c.encodeIfPresent(sessionID, forKey: .sessionID)
    try c.encode(timestamp.iso8601, forKey: .timestamp)
    try c.encode(eventType, forKey: .eventType)
    try c.encode(source, forKey: .source)
    try c.encode(data, forKey: .data)
    try c.encodeIfPresent(deviceInfo, forKey: .deviceInfo)
    try c.encodeIfPresent(locationInfo, forKey: .locationInfo)
  }

  /// The device: `device_info.device_id`, else the `device_info` map as sorted `key=value`
  /// pairs, else nil.
  public var device: String? {
    guard let info = deviceInfo, !info.isEmpty else { return nil }
    if let id = info["device_id"] { return id.description }
    return info.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }

  /// The location: `location_info` as `country/region/city` (the parts present), else its
  /// sorted `key=value` pairs, else nil.
  public var location: String? {
    guard let info = locationInfo, !info.isEmpty else { return nil }
    let parts = Self.locationParts.compactMap { info[$0]?.description }
    if !parts.isEmpty { return parts.joined(separator: "/") }
    return info.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
  }

  /// ``stableHash(_:)`` of ``location``, 0 when there is none; `country/region/city` is hashed
  /// from its parts, without building the string.
  var locationHash: UInt64 {
    guard let info = locationInfo, !info.isEmpty else { return 0 }
    var hasher = StableHasher()
    var parts = 0
    for key in Self.locationParts {
      guard let part = info[key] else { continue }
      if parts > 0 { hasher.add(UInt8(ascii: "/")) }
      hasher.add(part.description)
      parts += 1
    }
    return parts > 0 ? hasher.value : location.map(stableHash) ?? 0
  }

  private static let locationParts = ["country", "region", "city"]

  /// A number from `data[key]` (a JSON number, or a string holding one).
  public func number(_ key: String) -> Double? { data[key]?.number }
  /// A string from `data[key]`.
  public func string(_ key: String) -> String? { data[key]?.string }
}

/// A value in an event's `data`, `device_info` or `location_info` map.
public enum EventValue: Codable, Sendable, Hashable, CustomStringConvertible {
  /// A JSON string.
  case string(String)
  /// A JSON number.
  case number(Double)
  /// A JSON `true` or `false`.
  case bool(Bool)

  /// Decodes a JSON string, bool or number.
  ///
  /// - Throws: `DecodingError` for any other value (null, an array, an object).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else {
      throw DecodingError.dataCorruptedError(
        in: c, debugDescription: "a value must be a string, a number or a bool")
    }
  }

  /// Encodes the JSON scalar.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .string(let s): try c.encode(s)
    case .number(let d): try c.encode(d)
    case .bool(let b): try c.encode(b)
    }
  }

  /// The number, or a string that parses as one.
  public var number: Double? {
    switch self {
    case .number(let d): d
    case .string(let s): Double(s)
    case .bool: nil
    }
  }

  /// The string; nil for a number or a bool.
  public var string: String? { if case .string(let s) = self { s } else { nil } }

  /// The value as text: a string as is, a whole number below 10¹⁵ in magnitude without a
  /// fraction (`3`, not `3.0`), other numbers as Swift prints them, `true` or `false`.
  public var description: String {
    switch self {
    case .string(let s): s
    case .number(let d): d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    case .bool(let b): String(b)
    }
  }
}

extension EventValue: ExpressibleByStringLiteral, ExpressibleByFloatLiteral,
  ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral
{
  /// A ``string(_:)`` value.
  public init(stringLiteral value: String) { self = .string(value) }
  /// A ``number(_:)`` value.
  public init(floatLiteral value: Double) { self = .number(value) }
  /// A ``number(_:)`` value (the integer as a `Double`).
  public init(integerLiteral value: Int) { self = .number(Double(value)) }
  /// A ``bool(_:)`` value.
  public init(booleanLiteral value: Bool) { self = .bool(value) }
}
