/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41 reflected as 0x82F63B78), slicing-by-8.
/// Guards every chain and value record against bytes changed on disk.
enum CRC32C {
  /// Eight 256-entry tables, one after another: entry i of table k is at `k * 256 + i`.
  private static let table: [UInt32] = {
    var t = [UInt32](repeating: 0, count: 8 * 256)
    for i in 0..<256 {
      var c = UInt32(i)
      for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
      t[i] = c
    }
    for k in 1..<8 {
      for i in 0..<256 { t[k * 256 + i] = (t[(k - 1) * 256 + i] >> 8) ^ t[Int(t[(k - 1) * 256 + i] & 0xff)] }
    }
    return t
  }()

  /// The checksum of `bytes` (standard CRC-32C: initial value and final xor 0xFFFFFFFF).
  static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    var i = 0
    let n = bytes.count
    table.withUnsafeBufferPointer { t in
      while n - i >= 8 {
        let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        let lo = UInt32(truncatingIfNeeded: word) ^ crc
        let hi = UInt32(truncatingIfNeeded: word >> 32)
        crc = t[7 * 256 + Int(lo & 0xff)] ^ t[6 * 256 + Int((lo >> 8) & 0xff)]
          ^ t[5 * 256 + Int((lo >> 16) & 0xff)] ^ t[4 * 256 + Int(lo >> 24)]
          ^ t[3 * 256 + Int(hi & 0xff)] ^ t[2 * 256 + Int((hi >> 8) & 0xff)]
          ^ t[256 + Int((hi >> 16) & 0xff)] ^ t[Int(hi >> 24)]
        i += 8
      }
      while i < n {
        crc = (crc >> 8) ^ t[Int((crc ^ UInt32(bytes[i])) & 0xff)]
        i += 1
      }
    }
    return ~crc
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }
}
