import CChecksum

/// CRC-32C (Castagnoli, polynomial 0x1EDC6F41): guards every chain and value record against
/// bytes changed on disk. Computed by the `CChecksum` C target (the crc32 instruction where the
/// processor has it).
enum CRC32C {
  /// The checksum of `bytes` (standard CRC-32C: initial value and final xor 0xFFFFFFFF).
  static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    fdb_crc32c(bytes.baseAddress, bytes.count)
  }

  static func checksum(_ bytes: [UInt8]) -> UInt32 { bytes.withUnsafeBytes { checksum($0) } }
}
