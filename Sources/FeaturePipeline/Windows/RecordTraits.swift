/// What a record's neighbours say about it, derived from the window (never persisted): which of
/// its device, location and user agent (attributes 0, 1, 2) it has, and which of them differ
/// from the previous record in the window that has one.
struct RecordTraits: Sendable, Hashable {
  /// Bits 0–2: the attribute is present; bits 3–5: it differs from the previous one.
  var bits: UInt8 = 0

  /// Whether the record has attribute `a`.
  func has(_ a: Int) -> Bool { bits >> a & 1 != 0 }

  /// Whether attribute `a` differs from the previous record's with one.
  func changed(_ a: Int) -> Bool { bits >> (3 + a) & 1 != 0 }

  /// 1 per attribute present (lanes 0–2).
  var present: SIMD4<Int32> { lanes(bits) }

  /// 1 per attribute that changed (lanes 0–2).
  var changed: SIMD4<Int32> { lanes(bits >> 3) }

  private func lanes(_ b: UInt8) -> SIMD4<Int32> {
    SIMD4(Int32(b & 1), Int32(b >> 1 & 1), Int32(b >> 2 & 1), 0)
  }

  /// The traits of a record whose attributes are `values` and whose previous records with each
  /// had `previous` (0: none).
  init(_ values: (UInt64, UInt64, UInt64), previous: (UInt64, UInt64, UInt64)) {
    func flags(_ v: UInt64, _ p: UInt64, _ a: UInt8) -> UInt8 {
      v == 0 ? 0 : (p != 0 && p != v ? 9 : 1) << a
    }
    bits =
      flags(values.0, previous.0, 0) | flags(values.1, previous.1, 1)
      | flags(values.2, previous.2, 2)
  }

  /// No attribute.
  init() {}
}

extension EventRecord {
  /// Device, location and user agent hashes (attributes 0, 1, 2 of ``RecordTraits``).
  var attributes: (UInt64, UInt64, UInt64) { (device, location, agent) }

  /// Attribute `a` of ``RecordTraits``: 0 the device, 1 the location, 2 the user agent.
  func attribute(_ a: Int) -> UInt64 { a == 0 ? device : a == 1 ? location : agent }
}
