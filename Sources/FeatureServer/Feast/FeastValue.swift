import FDBCLI
import FeatureDB
import Foundation

/// Values and times as Feast's feature server writes them in JSON.
enum FeastValue {
  /// A value as Feast's server serializes it: numbers, Booleans and strings natively, bytes in
  /// base64, an embedding as a list of its `Float` components widened to `Double` (what
  /// Python prints for a float32).
  static func json(_ value: FeatureValue?) -> JSON {
    switch value {
    case nil: .null
    case .int(let v): .int(v)
    case .double(let v): v.isFinite ? .double(v) : .null
    case .bool(let v): .bool(v)
    case .string(let v): .string(v)
    case .bytes(let v): .string(Data(v).base64EncodedString())
    case .embedding(let v): .array(v.map { $0.isFinite ? .double(Double($0)) : .null })
    }
  }

  /// The epoch, which Feast writes for a value it has no time for.
  static let epoch = "1970-01-01T00:00:00Z"

  /// A time as Feast's server writes it: RFC 3339 in UTC with `Z`, and fractional seconds only
  /// when not zero — 3 digits when whole milliseconds, else 6.
  static func time(_ t: Timestamp) -> String {
    let micros = ((t.microseconds % 1_000_000) + 1_000_000) % 1_000_000
    let whole = Timestamp(microseconds: t.microseconds - micros).iso8601.dropLast()  // no "Z"
    if micros == 0 { return whole + "Z" }
    if micros % 1_000 == 0 { return whole + "." + String(micros / 1_000).leftPadded(3) + "Z" }
    return whole + "." + String(micros).leftPadded(6) + "Z"
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    count >= width ? self : String(repeating: "0", count: width - count) + self
  }
}
