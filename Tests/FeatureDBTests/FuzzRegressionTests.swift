import Foundation
import Testing

@testable import FeatureDB

/// Inputs the fuzz targets (Fuzz/) found, replayed through the property they broke. Each test
/// names its target; the bytes are the crashing input less the parameter bytes the target takes
/// first (see the comment at the top of Fuzz/Targets/<target>.swift).
@Suite struct FuzzRegressionTests {
  /// `keys`: a big-endian ordered varint with leading zero bytes read as a number whose key is
  /// another, so keys of one number could differ and sort out of numeric order.
  @Test(
    arguments: [
      [0xFD, 0x00, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF],  // the crashing input
      [0xFB, 0x00, 0x00, 0x00, 0x00],  // 0 in 5 bytes
      [0xF1, 0x00],  // 240 in 2 bytes
      [0xFA, 0x01, 0x08, 0xEF],  // 67,823 in the 3-byte big-endian form
    ] as [[UInt8]])
  func orderedVarintsAreReadOnlyInTheirShortestForm(_ input: [UInt8]) {
    input.withUnsafeBytes { raw in
      var r = ByteReader(raw)
      #expect(throws: DecodeError.self) { try OrderedVarint.read(&r) }
      #expect(Keys.parseChain(raw) == nil)
      #expect(Keys.parseValue(raw) == nil)
    }
  }

  @Test func theShortestFormsAroundEachLengthStillRead() throws {
    for v: UInt64 in [240, 241, 2287, 2288, 67823, 67824, 1 << 24 - 1, 1 << 24, UInt64.max] {
      try OrderedVarint.encode(v).withUnsafeBytes { (raw) throws in
        var r = ByteReader(raw)
        #expect(try OrderedVarint.read(&r) == v)
      }
    }
  }

  /// `time`: `+15m` parsed as a duration (the sign went to `Int64.init`), so `fdb` took `++15m`
  /// as a time.
  @Test(arguments: ["+15m", "+0s", "-0s", "+7d"])
  func durationsAreOnlyDigitsAndAUnit(_ text: String) {
    #expect(TimeSpan(parsing: text) == nil)
  }

  /// `csv`: a first field starting with U+FEFF was written unquoted, and reading the file back
  /// took it for a byte-order mark and dropped it.
  @Test func aLeadingByteOrderMarkCharacterSurvivesWritingAndReadingBack() throws {
    let input: [UInt8] = [
      0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, 0x69, 0x74, 0x79, 0x2C, 0x76, 0x61, 0x6C, 0x75, 0x00,
      0x02, 0x00,
      0x65, 0x6E, 0x74, 0x69, 0x0D, 0x29, 0x0A,
    ]
    let dir = TemporaryDirectory()
    let records = try csvRecords(input, dir)
    #expect(records == [["\u{FEFF}ity", "valu\0\u{02}\0enti\r)"]])
    let path = dir.child("out.csv")
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    var writer = CSVWriter(fd: fd)
    for record in records { try writer.write(record: record) }
    try writer.flush()
    close(fd)
    #expect(try csvRecords(Array(FileManager.default.contents(atPath: path)!), dir) == records)
  }

  /// `embedding`: int8 quantization of vectors whose components are all below ~1e-36. 1/scale
  /// overflowed to infinity, so every component got code 255 (the first vector); and a subnormal
  /// scale is rounded to a multiple of 2⁻¹⁴⁹, which the codes multiply (the second).
  @Test(
    arguments: [
      [0x0124_000F, 0x40, 0, 0, 0, 0, 0, 0],
      [0x5600, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ] as [[UInt32]])
  func int8KeepsItsErrorBoundOnTinyVectors(_ bits: [UInt32]) throws {
    let x = bits.map(Float.init(bitPattern:))
    var canonical: [UInt8] = []
    try EmbeddingCodec.encode(x, .int8, into: &canonical)
    var y = [Float](repeating: .nan, count: x.count)
    try canonical.withUnsafeBytes { c in
      try y.withUnsafeMutableBufferPointer { try EmbeddingCodec.decode(c, .int8, into: $0) }
    }
    let (lo, hi) = (Double(x.min()!), Double(x.max()!))
    // docs/encoding.md: (max − min)/510 + 1 ulp of the largest component, + 2⁻¹⁴² for a subnormal scale.
    let bound = (hi - lo) / 510 + Double(x.map(abs).max()!.ulp) + 0x1p-142
    for (a, b) in zip(x, y) {
      #expect(abs(Double(a) - Double(b)) <= bound, "\(a) read back as \(b)")
    }
  }

  /// `chain_record`: a chain whose entry claims version 2⁶⁴−1 (checksum valid) made the write
  /// path compute the next version by overflowing, which traps.
  @Test func aChainWithAVersionNumberBeyond2To63IsACorruptRecordForWrites() throws {
    // flags (pruned range), checksum, pruned range, then an entry: version 2⁶⁴−1, a retracted tombstone.
    var record: [UInt8] = [0x02, 0, 0, 0, 0, 0x67, 0x65, 0x00]
    record += [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x05, 0x1A, 0x0E]
    let crc = record.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[5...])) }
    record.withUnsafeMutableBytes {
      $0.storeBytes(of: crc.littleEndian, toByteOffset: 1, as: UInt32.self)
    }
    let epoch = Timestamp(iso8601: "2026-01-01T00:00:00Z")!.microseconds
    try record.withUnsafeBytes { raw in
      var reader = try ChainRecord.Reader(raw, format: ValueFormat(type: .int), epoch: epoch)
      #expect(try reader.all().map(\.version) == [UInt64.max])
      var update = ChainUpdate()
      #expect(throws: DecodeError.self) {
        try update.reset(old: raw, format: ValueFormat(type: .int), epoch: epoch)
      }
    }
  }
}
