import FeatureDB

/// Times as Feast's feature server writes them, which the request log uses too: RFC 3339 in
/// UTC with `Z`, and fractional seconds only when not zero — 3 digits when whole milliseconds,
/// else 6 (`2026-01-05T10:00:00Z`, `2026-01-05T10:00:00.123Z`, `…00.000123Z`).
enum RFC3339 {
  /// Calls `body` with the bytes of a valid time `t` (years 1 to 9999), in double quotes when
  /// `quoted`, from a stack buffer: no String is made.
  static func withBytes(
    _ t: Timestamp, quoted: Bool, _ body: (UnsafeBufferPointer<UInt8>) -> Void
  ) {
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
      if quoted { put(UInt8(ascii: "\"")) }
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
      if quoted { put(UInt8(ascii: "\"")) }
      body(UnsafeBufferPointer(rebasing: p[..<at]))
    }
  }
}
