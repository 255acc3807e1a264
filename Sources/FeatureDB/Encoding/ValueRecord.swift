/// A value kept in the `values` table (too large to be inline in its chain entry):
///
/// ```
/// u8 flags        bit0: the body is one zstd frame of the payload
///                 bit1: a dictionary id follows; the body's zstd frames use that dictionary
/// u32le crc       CRC-32C of every byte after this field
/// [varint dictionary id]
/// body
/// ```
enum ValueRecord {
  static let compressed: UInt8 = 1
  static let withDictionary: UInt8 = 2
  /// Flags and checksum: the bytes of a record without a dictionary besides its body.
  static let headerBytes = 5

  /// The parts of a record whose checksum matched.
  struct Parsed {
    var isCompressed: Bool
    var dictionary: UInt64?
    var body: UnsafeRawBufferPointer
  }

  static func encode(body: [UInt8], isCompressed: Bool, dictionary: UInt64?) -> [UInt8] {
    var w = ByteWriter(capacity: body.count + 8)
    w.byte((isCompressed ? compressed : 0) | (dictionary != nil ? withDictionary : 0))
    w.uint32LE(0)
    if let dictionary { w.varint(dictionary) }
    w.append(body)
    let crc = w.bytes.withUnsafeBytes {
      CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[5...]))
    }
    w.bytes.withUnsafeMutableBytes {
      $0.storeBytes(of: crc.littleEndian, toByteOffset: 1, as: UInt32.self)
    }
    return w.bytes
  }

  static func parse(_ record: UnsafeRawBufferPointer) throws(DecodeError) -> Parsed {
    var r = ByteReader(record)
    let flags = try r.byte()
    guard flags & ~(compressed | withDictionary) == 0 else {
      throw DecodeError("unknown value record flags \(flags)")
    }
    let crc = try r.uint32LE()
    guard CRC32C.checksum(UnsafeRawBufferPointer(rebasing: record[5...])) == crc else {
      throw DecodeError("value record checksum mismatch")
    }
    let dictionary = flags & withDictionary != 0 ? try r.varint() : nil
    return Parsed(
      isCompressed: flags & compressed != 0, dictionary: dictionary, body: try r.bytes(r.remaining))
  }
}
