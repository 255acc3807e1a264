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
}
