import Foundation
import Testing

@testable import FeatureDB

@Suite struct DictionaryTests {
  static func json(_ i: Int) -> String {
    #"{"user_id":"u\#(i)","country":"\#(["DE", "FR", "US", "BR"][i % 4])","plan":"\#(["free", "pro", "team"][i % 3])","#
      + #""devices":[\#(i % 5),\#(i % 7)],"last_seen":"2026-11-\#(10 + i % 18)T10:\#(i % 60):00Z","flags":{"beta":\#(i % 2 == 0)}}"#
  }

  func valueBytes(_ db: FeatureStore, _ feature: String) throws -> Int {
    try db.stats().features.first { $0.name == feature }!.valueBytes
  }

  @Test func aTrainedDictionaryShrinksNewValuesAndOldOnesStayReadable() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("profile", type: .string))
    try db.write { b in for i in 0..<600 { b.put("profile", "old\(i)", Self.json(i)) } }
    let before = try valueBytes(db, "profile")
    let result = try db.trainDictionary(feature: "profile")
    #expect(result.id == 1 && result.samples == 600 && result.bytes > 0)
    #expect(try db.feature("profile")?.dictionary == 1)
    try db.write { b in for i in 0..<600 { b.put("profile", "new\(i)", Self.json(i)) } }
    let after = try valueBytes(db, "profile") - before
    #expect(after < before * 2 / 3)  // the same values, with the dictionary
    #expect(try db.latest("profile", "new7", as: String.self) == Self.json(7))
    #expect(try db.latest("profile", "old7", as: String.self) == Self.json(7))
    // A second dictionary: records written with the first still read.
    #expect(try db.trainDictionary(feature: "profile").id == 2)
    try db.put("profile", "newer", Self.json(3))
    #expect(try db.latest("profile", "new8", as: String.self) == Self.json(8))
    #expect(try db.latest("profile", "newer", as: String.self) == Self.json(3))
    #expect(try db.verify().isClean)
    // Reopened, the dictionaries are loaded from the store.
    let reopened = try FeatureStore(path: db.path, options: StoreOptions(readOnly: true))
    #expect(try reopened.latest("profile", "new9", as: String.self) == Self.json(9))
    _ = dir
  }

  @Test func aMissingDictionaryIsACorruptRecordAndVerifyFindsIt() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("profile", type: .string))
    try db.write { b in for i in 0..<300 { b.put("profile", "e\(i)", Self.json(i)) } }
    try db.trainDictionary(feature: "profile")
    try db.put("profile", "x", Self.json(1))
    let reopened = try FeatureStore(path: db.path)
    _ = try reopened.env.write { txn in
      try reopened.tables.dicts.delete(txn, key: OrderedVarint.encode(1))
    }
    let error = thrownError { _ = try reopened.latest("profile", "x") }
    guard case .corruptRecord(let f, let e, let v, let detail) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(f == "profile" && e == "x" && v == 1 && detail.contains("dictionary 1 is missing"))
    let report = try reopened.verify()
    #expect(report.problems.contains { $0.location == "feature 'profile' entity 'x' version 1" })
    _ = dir
  }

  @Test func int8EmbeddingsUseTheDictionaryForTheirCodes() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("emb", type: .embedding(dims: 64), encoding: .int8))
    var rng = SplitMix64(seed: 20_261_130)  // seeded: a failure replays
    let vectors = (0..<500).map { _ in EmbeddingStoreTests.unitVector(64, &rng) }
    try db.write { b in for (i, v) in vectors.enumerated() { b.put("emb", "e\(i)", v) } }
    try db.trainDictionary(feature: "emb")
    try db.write { b in for (i, v) in vectors.enumerated() { b.put("emb", "e\(i)", v) } }
    for i in [0, 250, 499] {
      let back = try #require(try db.latest("emb", "e\(i)", as: [Float].self))
      #expect(EmbeddingStoreTests.cosine(back, vectors[i]) > 0.999)
    }
    #expect(try db.verify().isClean)
    _ = dir
  }

  @Test func dictionariesAreRefusedWhereTheyCannotHelp() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("emb", type: .embedding(dims: 4), encoding: .float16))
    try db.define(FeatureDefinition("s", type: .string))
    expectError(
      .invalidArgument(
        "feature 'emb' stores float16 embeddings, which use no zstd: a dictionary cannot help")
    ) {
      try db.trainDictionary(feature: "emb")
    }
    try db.put("s", "a", "short")
    let error = thrownError { try db.trainDictionary(feature: "s") }
    #expect(error.map { "\($0)".contains("too few") } == true)
    expectError(.unknownFeature("nope")) { try db.trainDictionary(feature: "nope") }
    _ = dir
  }
}
