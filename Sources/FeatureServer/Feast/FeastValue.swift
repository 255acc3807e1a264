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

  /// Writes a valid time (years 1 to 9999) as Feast's server does, quoted: RFC 3339 in UTC
  /// with `Z`, and fractional seconds only when not zero — 3 digits when whole milliseconds,
  /// else 6 (`2026-01-05T10:00:00Z`, `2026-01-05T10:00:00.123Z`, `…00.000123Z`).
  static func write(_ t: Timestamp, to out: inout JSONWriter) {
    let (year, month, day, inDay) = t.utcDate
    let seconds = inDay / 1_000_000
    let micros = inDay % 1_000_000
    // `"YYYY-MM-DDTHH:MM:SS.ffffffZ"` is 29 bytes at most; every field has a fixed width.
    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 29) { p in
      var at = 0
      func put(_ byte: UInt8) {
        p[at] = byte
        at += 1
      }
      func put(_ value: Int64, _ width: Int) {
        var rest = UInt64(clamping: value)  // never negative for a valid time
        for i in (at..<at + width).reversed() {
          p[i] = UInt8(ascii: "0") + UInt8(rest % 10)
          rest /= 10
        }
        at += width
      }
      put(UInt8(ascii: "\""))
      put(year, 4)
      put(UInt8(ascii: "-"))
      put(month, 2)
      put(UInt8(ascii: "-"))
      put(day, 2)
      put(UInt8(ascii: "T"))
      put(seconds / 3600, 2)
      put(UInt8(ascii: ":"))
      put(seconds / 60 % 60, 2)
      put(UInt8(ascii: ":"))
      put(seconds % 60, 2)
      if micros != 0 {
        put(UInt8(ascii: "."))
        micros % 1_000 == 0 ? put(micros / 1_000, 3) : put(micros, 6)
      }
      put(UInt8(ascii: "Z"))
      put(UInt8(ascii: "\""))
      out.raw(UnsafeBufferPointer(rebasing: p[..<at]))
    }
  }
}
