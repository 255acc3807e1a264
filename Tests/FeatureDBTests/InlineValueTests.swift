import Foundation
import Testing

@testable import FeatureDB

/// Values over 64 bytes are inline in short chains when compression gains nothing (format.md,
/// *Values*); both forms must read back, side by side in one chain too.
@Suite struct InlineValueTests {
  let db: FeatureStore
  let dir: TemporaryDirectory

  init() throws {
    (db, dir) = try makeStore()
  }

  func vector(_ seed: Int, dims: Int = 384) -> [Float] {
    (0..<dims).map { Float(sin(Double($0 * 7 + seed * 13))) }
  }

  /// Bytes in `values` for `feature` (0: every value is inline).
  func valueBytes(_ feature: String) throws -> Int {
    try db.stats().features.first { $0.name == feature }!.valueBytes
  }

  func read(_ feature: String, _ entity: String) throws -> [Float]? {
    try db.latest(feature, entity, as: [Float].self)
  }

  @Test func int8EmbeddingsAreInlineInShortChainsOnly() throws {
    for maxVersions in [1, 2, 3, 0] {
      let name = "emb\(maxVersions)"
      try db.define(
        FeatureDefinition(
          name, type: .embedding(dims: 384), encoding: .int8, maxVersions: maxVersions))
      try db.put(name, "u", vector(1))
      try db.put(name, "u", vector(2))
      let expected = try EncodedEmbedding(vector(2), encoding: .int8).decoded()
      #expect(try read(name, "u") == expected)
      #expect(
        try db.read { try $0.latestEncodedEmbedding(name, "u") }?.bytes
          == EncodedEmbedding(vector(2), encoding: .int8).bytes)
      #expect(try db.history(name, "u").count == min(2, maxVersions == 0 ? 2 : maxVersions))
      let short = (1...2).contains(maxVersions)
      #expect((try valueBytes(name) == 0) == short, "max-versions \(maxVersions)")
    }
    #expect(try db.verify().problemCount == 0)
  }

  @Test func compressibleOrPackableValuesStayInValues() throws {
    try db.define(FeatureDefinition("f32", type: .embedding(dims: 384), maxVersions: 1))
    try db.define(FeatureDefinition("text", type: .string, maxVersions: 1))
    try db.define(FeatureDefinition("noise", type: .bytes, maxVersions: 1))
    try db.define(FeatureDefinition("huge", type: .bytes, maxVersions: 1))
    var rng = SystemRandomNumberGenerator()
    let noise = (0..<200).map { _ in UInt8.random(in: 0...255, using: &rng) }
    let huge = (0..<600).map { _ in UInt8.random(in: 0...255, using: &rng) }
    try db.put("f32", "u", vector(3))  // the packed form is smaller than float32 bytes
    try db.put("text", "u", String(repeating: "abc", count: 100))  // zstd pays
    try db.put("noise", "u", noise)  // nothing pays: inline
    try db.put("huge", "u", huge)  // over 512 bytes
    #expect(try valueBytes("f32") > 0)
    #expect(try valueBytes("text") > 0)
    #expect(try valueBytes("noise") == 0)
    #expect(try valueBytes("huge") > 0)
    #expect(try read("f32", "u") == vector(3))
    #expect(try db.latest("text", "u", as: String.self) == String(repeating: "abc", count: 100))
    #expect(try db.latest("noise", "u", as: [UInt8].self) == noise)
    #expect(try db.latest("huge", "u", as: [UInt8].self) == huge)
  }

  /// A store written before the rule (int8 values in `values` whatever the chain) still reads,
  /// and a chain holds both forms once its retention is shortened.
  @Test func bothFormsInOneChain() throws {
    try db.define(
      FeatureDefinition("emb", type: .embedding(dims: 384), encoding: .int8, maxVersions: 10))
    try db.put("emb", "u", vector(1), eventTime: t(1))  // external (long chain)
    try db.put("emb", "v", vector(1))
    #expect(try valueBytes("emb") > 0)
    try db.updateRetention("emb", maxVersions: 2)
    try db.put("emb", "u", vector(2), eventTime: t(2))  // inline beside the external one
    let one = try EncodedEmbedding(vector(1), encoding: .int8).decoded()
    let two = try EncodedEmbedding(vector(2), encoding: .int8).decoded()
    #expect(try read("emb", "u") == two)
    #expect(try db.asOf("emb", "u", eventTime: t(1), as: [Float].self) == one)
    #expect(try db.history("emb", "u").map { $0.value?.embedding } == [two, one])
    #expect(try read("emb", "v") == one)
    try db.put("emb", "u", vector(3), eventTime: t(3))  // prunes the external version
    #expect(try db.history("emb", "u").count == 2)
    #expect(try db.verify().problemCount == 0)
    let copy = dir.child("compacted")
    _ = try db.compact(to: copy)
    let compacted = try FeatureStore(path: copy, options: StoreOptions(readOnly: true))
    #expect(try compacted.latest("emb", "v", as: [Float].self) == one)
    #expect(try compacted.latest("emb", "u", as: [Float].self) == read("emb", "u"))
  }
}
