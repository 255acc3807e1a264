import FeatureDB
import Foundation

/// Values and times as Feast's feature server writes them in JSON.
enum FeastValue {
  /// Writes a value as Feast's server serializes it: numbers, Booleans and strings natively,
  /// bytes in base64, an embedding as a list of its `Float` components widened to `Double`
  /// (what Python prints for a float32); `null` for none, NaN and infinities.
  static func write(_ value: FeatureValue?, to out: inout JSONWriter) {
    switch value {
    case nil: out.null()
    case .int(let v): out.int(v)
    case .double(let v): v.isFinite ? out.double(v) : out.null()
    case .bool(let v): out.bool(v)
    case .string(let v): out.string(v)
    case .bytes(let v): out.string(Data(v).base64EncodedString())
    case .embedding(let v):
      out.raw("[")
      for (i, x) in v.enumerated() {
        if i > 0 { out.raw(",") }
        x.isFinite ? out.double(Double(x)) : out.null()
      }
      out.raw("]")
    }
  }

  /// Writes the epoch, which Feast writes for a value it has no time for.
  static func writeEpoch(to out: inout JSONWriter) {
    out.raw(#""1970-01-01T00:00:00Z""#)
  }

  /// Writes a valid time (years 1 to 9999) as Feast's server does, quoted (``RFC3339``).
  static func write(_ t: Timestamp, to out: inout JSONWriter) {
    RFC3339.withBytes(t, quoted: true) { out.raw($0) }
  }
}
