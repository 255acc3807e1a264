// Fuzz target `value_record`: records of the `values` table over arbitrary bytes, for every
// value format: `ValueRecord.parse`, then `ValueCodec.storedCanonical` (zstd frames, with or
// without a dictionary, and the embedding stored forms), then `ValueCodec.decode`.
//
// Input: format selector, two bytes of dims, control byte (bit 0 keep the stored checksum instead
// of fixing it, bit 1 store again with a dictionary), then the record. The checksum is fixed up
// unless bit 0 asks otherwise, so mutations reach the body.
//
// Properties: no record with a wrong checksum parses; an embedding's canonical bytes have the
// encoding's size; a decoded value's canonical bytes decode to the same value; canonical bytes
// stored again (compressed where that pays) read back to the same bytes.

@testable import FeatureDB

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  var input = FuzzInput(data, size)
  let format = valueFormat(input.byte(), dims: 1 + Int(input.uint16() % 512))
  let control = input.byte()
  var record = Array(input.rest)
  if control & 1 == 0, record.count >= 5 {
    let crc = record.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[5...])) }
    record.withUnsafeMutableBytes {
      $0.storeBytes(of: crc.littleEndian, toByteOffset: 1, as: UInt32.self)
    }
  }
  guard let canonical = record.withUnsafeBytes({ try? canonicalBytes($0, format) }) else {
    return 0
  }
  if case .embedding(let dims) = format.type {
    let expected = EmbeddingCodec.size(format.encoding, dims: dims)
    check(
      canonical.count == expected,
      "\(format.encoding) embedding of \(dims) dims has \(canonical.count) canonical bytes")
  }
  if let value = canonical.withUnsafeBytes({ try? ValueCodec.decode(format, $0) }) {
    if case .embedding(let dims) = format.type {
      check(value.embedding?.count == dims, "an embedding of \(dims) dims decodes to \(value)")
    } else {
      let again = (try? ValueCodec.canonical(value, format))?.withUnsafeBytes {
        try? ValueCodec.decode(format, $0)
      }
      check(
        again.map { sameValue($0, value) } ?? false,
        "\(format.type) value \(value) re-encodes as \(String(describing: again))")
    }
  }
  let dictionary = control & 2 != 0 ? fuzzDictionary : nil
  let stored = ValueCodec.stored(canonical, format, zstd: fuzzZstd, dictionary: dictionary)
  let back = stored.withUnsafeBytes { try? canonicalBytes($0, format) }
  check(
    back == canonical,
    "\(format.type) canonical bytes \(canonical) stored as \(stored) read back as \(String(describing: back))"
  )
  return 0
}

/// The canonical bytes of a record, as the store reads them: checksum checked, the dictionary it
/// names resolved.
private func canonicalBytes(_ record: UnsafeRawBufferPointer, _ format: ValueFormat)
  throws(DecodeError) -> [UInt8]
{
  let parsed = try ValueRecord.parse(record)
  let stored = UInt32(littleEndian: record.loadUnaligned(fromByteOffset: 1, as: UInt32.self))
  check(
    stored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: record[5...])),
    "a record with a wrong checksum parsed")
  return try ValueCodec.storedCanonical(
    format, parsed, zstd: fuzzZstd, dictionary: parsed.dictionary.map { _ in fuzzDictionary })
}
