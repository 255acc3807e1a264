import Foundation
import PropertyBased
import Testing

@testable import FeatureDB

@Suite struct EmbeddingCodecTests {
  static let vectors = Gen.float(in: -4...4).array(of: 1...600)

  func roundTrip(_ v: [Float], _ encoding: EmbeddingEncoding) throws -> [Float] {
    var bytes: [UInt8] = []
    try EmbeddingCodec.encode(v, encoding, into: &bytes)
    #expect(bytes.count == EmbeddingCodec.size(encoding, dims: v.count))
    var out = [Float](repeating: .nan, count: v.count)
    try bytes.withUnsafeBytes { raw in
      try out.withUnsafeMutableBufferPointer { try EmbeddingCodec.decode(raw, encoding, into: $0) }
    }
    return out
  }

  @Test func float32IsLossless() async throws {
    await propertyCheck(input: Gen.float(in: -1e30...1e30).array(of: 0...600)) { (v) throws in
      #expect(try roundTrip(v, .float32) == v)
    }
    #expect(
      try roundTrip([.leastNonzeroMagnitude, -0.0, .greatestFiniteMagnitude], .float32).map(
        \.bitPattern)
        == [Float.leastNonzeroMagnitude, -0.0, .greatestFiniteMagnitude].map(\.bitPattern))
  }

  @Test func halfToFloatIsExactForEveryBitPattern() {
    for bits in UInt16.min...UInt16.max {
      let reference = Float(Float16(bitPattern: bits))
      let ours = EmbeddingCodec.halfToFloat(bits)
      #expect(
        ours.bitPattern == reference.bitPattern || (ours.isNaN && reference.isNaN), "bits \(bits)")
    }
  }

  @Test func float16IsCorrectlyRounded() async throws {
    await propertyCheck(input: Self.vectors) { (v) throws in
      let back = try roundTrip(v, .float16)
      for (x, y) in zip(v, back) {
        #expect(y == Float(Float16(x)))  // Swift's conversion rounds to nearest even
        if abs(x) >= 6.103515625e-05 { #expect(abs(x - y) <= abs(x) * 0x1p-11) }
      }
    }
  }

  @Test func bfloat16RoundsToNearestEven() async throws {
    await propertyCheck(input: Self.vectors) { (v) throws in
      let back = try roundTrip(v, .bfloat16)
      for (x, y) in zip(v, back) {
        #expect(abs(x - y) <= abs(x) * 0x1p-8)
        // The nearest bfloat16 neighbour: no other candidate is closer.
        let down = Float(bitPattern: x.bitPattern & 0xFFFF_0000)
        let up = Float(bitPattern: (x.bitPattern & 0xFFFF_0000) &+ 0x1_0000)
        #expect(
          abs(Double(y) - Double(x))
            <= min(abs(Double(down) - Double(x)), abs(Double(up) - Double(x))))
      }
    }
    // A tie goes to the even neighbour.
    #expect(try roundTrip([Float(bitPattern: 0x3F80_8000)], .bfloat16)[0].bitPattern == 0x3F80_0000)
    #expect(try roundTrip([Float(bitPattern: 0x3F81_8000)], .bfloat16)[0].bitPattern == 0x3F82_0000)
  }

  @Test func int8StaysWithinItsBound() async throws {
    await propertyCheck(input: Self.vectors) { (v) throws in
      let back = try roundTrip(v, .int8)
      let span = v.max()! - v.min()!
      let slack = v.map { abs($0) }.max()!.ulp  // float32 rounding of min + q × scale
      for (x, y) in zip(v, back) { #expect(abs(x - y) <= span / 510 + slack) }
    }
    #expect(try roundTrip([0.5, 0.5, 0.5], .int8) == [0.5, 0.5, 0.5])
  }

  @Test func outOfRangeComponentsAreNamed() {
    var bytes: [UInt8] = []
    #expect(throws: EmbeddingCodec.RangeError.self) {
      try EmbeddingCodec.encode([1, 70_000], .float16, into: &bytes)
    }
    // The error names the component (an #expect only inside a `catch` passed when nothing threw).
    let error = #expect(throws: EmbeddingCodec.RangeError.self) {
      try EmbeddingCodec.encode([1, 2, -1e6], .float16, into: &bytes)
    }
    #expect(error?.component == 2 && error?.value == -1e6)
    #expect(throws: EmbeddingCodec.RangeError.self) {
      try EmbeddingCodec.encode([.greatestFiniteMagnitude], .bfloat16, into: &bytes)
    }
    // 65504 is float16's largest finite value; 65519 still rounds down to it.
    #expect((try? EmbeddingCodec.encode([65504, 65519], .float16, into: &bytes)) != nil)
  }

  @Test func storedFormsRoundTripAndShrink() async throws {
    let zstd = Zstd()
    for encoding in EmbeddingEncoding.allCases {
      await propertyCheck(count: 50, input: Self.vectors) { (v) throws in
        var canonical: [UInt8] = []
        try EmbeddingCodec.encode(v, encoding, into: &canonical)
        let stored = EmbeddingStorage.pack(canonical, encoding, zstd: zstd).bytes
        #expect(stored.count <= canonical.count + 1)
        let back = try stored.withUnsafeBytes {
          try EmbeddingStorage.unpack($0, encoding, dims: v.count, zstd: zstd)
        }
        #expect(back == canonical)
      }
    }
  }

  @Test func decodersSurviveRandomAndAdversarialBytes() async throws {
    let zstd = Zstd()
    await propertyCheck(count: 400, input: Gen.uint8().array(of: 0...900), Gen.int(in: 1...300)) {
      (bytes, dims) throws in
      bytes.withUnsafeBytes { raw in
        for encoding in EmbeddingEncoding.allCases {
          _ = try? EmbeddingStorage.unpack(raw, encoding, dims: dims, zstd: zstd)
          var out = [Float](repeating: 0, count: dims)
          out.withUnsafeMutableBufferPointer {
            _ = try? EmbeddingCodec.decode(raw, encoding, into: $0)
          }
          if let parsed = try? ValueRecord.parse(raw) {
            _ = try? ValueCodec.storedCanonical(
              ValueFormat(type: .embedding(dims: dims), encoding: encoding), parsed, zstd: zstd,
              dictionary: nil)
          }
        }
      }
    }
    // A zstd frame that claims a huge size is refused before allocating.
    var lying: [UInt8] = [1, 0x28, 0xB5, 0x2F, 0xFD, 0x80, 0, 0, 0, 0x40]
    lying += [UInt8](repeating: 0, count: 16)
    _ = lying.withUnsafeBytes { raw in
      #expect(throws: DecodeError.self) {
        _ = try EmbeddingStorage.unpack(raw, .float16, dims: 4, zstd: zstd)
      }
    }
  }
}

@Suite struct EmbeddingStoreTests {
  /// A unit-norm vector of `dims` Gaussian components.
  static func unitVector(_ dims: Int, _ rng: inout some RandomNumberGenerator) -> [Float] {
    let v = (0..<dims).map { _ in
      Float(
        sqrt(-2 * log(Double.random(in: Double.ulpOfOne..<1, using: &rng)))
          * cos(2 * .pi * Double.random(in: 0..<1, using: &rng)))
    }
    let norm = sqrt(v.reduce(0) { $0 + $1 * $1 })
    return v.map { $0 / norm }
  }

  static func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot = 0.0
    var na = 0.0
    var nb = 0.0
    for (x, y) in zip(a, b) {
      dot += Double(x) * Double(y)
      na += Double(x) * Double(x)
      nb += Double(y) * Double(y)
    }
    return dot / (na * nb).squareRoot()
  }

  @Test(arguments: EmbeddingEncoding.allCases)
  func everyEncodingStoresAndReadsBack(_ encoding: EmbeddingEncoding) throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("emb", type: .embedding(dims: 384), encoding: encoding))
    try db.define(FeatureDefinition("small", type: .embedding(dims: 8), encoding: encoding))
    var rng = SplitMix64(seed: 20_261_130)  // seeded: a failure replays
    let v = Self.unitVector(384, &rng)
    let s = Self.unitVector(8, &rng)
    try db.put("emb", "e", v)
    try db.put("small", "e", s)
    let back = try #require(try db.latest("emb", "e", as: [Float].self))
    let minimum: Double =
      switch encoding {
      case .float32: 1
      case .float16: 0.99999
      case .bfloat16: 0.99999
      case .int8: 0.9999
      }
    #expect(Self.cosine(v, back) >= minimum)
    if encoding == .float32 { #expect(back == v) }
    #expect(Self.cosine(s, try #require(try db.latest("small", "e", as: [Float].self))) >= minimum)
    // The raw accessor and decoding into a caller's buffer give the same vector.
    let encoded = try #require(try db.read { try $0.latestEncodedEmbedding("emb", "e") })
    #expect(encoded.encoding == encoding && encoded.dims == 384)
    #expect(encoded.bytes.count == EmbeddingCodec.size(encoding, dims: 384))
    #expect(try encoded.decoded() == back)
    var buffer = [Float](repeating: 0, count: 384)
    let found = try db.read { snap in
      try buffer.withUnsafeMutableBufferPointer { try snap.latestEmbedding("emb", "e", into: $0) }
    }
    #expect(found && buffer == back)
    #expect(
      try db.read { snap in
        try buffer.withUnsafeMutableBufferPointer {
          try snap.latestEmbedding("emb", "nobody", into: $0)
        }
      } == false)
    #expect(try db.verify().isClean)
    _ = dir
  }

  @Test func aFloat16OverflowNamesTheComponent() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("h", type: .embedding(dims: 3), encoding: .float16))
    expectError(
      .invalidValue(
        feature: "h", entity: "e",
        reason: "embedding component 1 is 100000.0, outside float16's range ±65504")
    ) {
      try db.put("h", "e", [Float]([1, 100_000, 2]))
    }
    #expect(try db.latest("h", "e") == nil)
    _ = dir
  }

  @Test func theEncodingCannotChange() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("h", type: .embedding(dims: 3), encoding: .int8))
    expectError(
      .invalidDefinition(
        feature: "h", reason: "it is stored as int8; the encoding cannot change to float16")
    ) {
      try db.define(FeatureDefinition("h", type: .embedding(dims: 3), encoding: .float16))
    }
    _ = dir
  }
}
