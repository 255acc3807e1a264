import Foundation
import Testing

@testable import FeatureDB

/// The store at LMDB's limits: a map that cannot grow, the longest keys, the largest values.
@Suite struct LimitsTests {
  /// Incompressible bytes (zstd cannot shrink them), deterministic per seed.
  static func noise(_ count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    for i in stride(from: 0, to: count, by: 8) {
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      z ^= z >> 31
      for j in 0..<min(8, count - i) {
        out[i + j] = UInt8(truncatingIfNeeded: z >> (8 * UInt64(j)))
      }
    }
    return out
  }

  // MARK: - A full map

  /// With a `maxMapSize` the map cannot pass, writes end in a typed `storeFull`; the store stays
  /// readable, the failed batch leaves nothing, and once vacuum has removed the expired data the
  /// same volume fits again in the same file (LMDB reuses the freed pages).
  @Test func aFullStoreSaysSoAndWritesAgainAfterVacuum() throws {
    let dir = TemporaryDirectory()
    let maxMap = 1 << 20
    let db = try FeatureStore(
      path: dir.child("s"),
      options: StoreOptions(durability: .noSync, mapSize: 256 << 10, maxMapSize: maxMap))
    try db.define(FeatureDefinition("blob", type: .bytes, maxVersions: 0, ttl: .hours(1)))
    let base = CrashWorkload.base
    /// Writes batches of 8 × 1,500 incompressible bytes (event time base + round hours) until the
    /// store is full or `limit` batches are in; returns (batches written, the error that stopped it).
    func fill(round: Int, limit: Int = .max) -> (Int, FeatureDBError?) {
      var batches = 0
      while batches < limit {
        do {
          try db.write { batch in
            batch.eventTime = base + .hours(Int64(round))
            for i in 0..<8 {
              batch.put(
                "blob", "e\(batches)-\(i)",
                Self.noise(1500, seed: UInt64(round << 32 | batches << 8 | i)))
            }
          }
        } catch let error as FeatureDBError {
          return (batches, error)
        } catch {
          Issue.record("unexpected \(error)")
          return (batches, nil)
        }
        batches += 1
      }
      return (batches, nil)
    }

    let (written, error) = fill(round: 0)
    #expect(error == .storeFull(path: db.path, mapSize: maxMap))
    #expect(written > 20, "only \(written) batches fit in \(maxMap) bytes")
    #expect(db.env.currentMapSize == maxMap)
    // Readable, and the batch that failed left nothing.
    #expect(
      try db.asOf("blob", "e0-0", eventTime: base, as: [UInt8].self) == Self.noise(1500, seed: 0))
    #expect(
      try db.asOf("blob", "e\(written - 1)-7", eventTime: base, as: [UInt8].self)
        == Self.noise(1500, seed: UInt64((written - 1) << 8 | 7)))
    #expect(try db.history("blob", "e\(written)-0").isEmpty)
    #expect(try db.verify().isClean)
    // Still full for another batch of the same size.
    #expect(fill(round: 0, limit: 1).1 == .storeFull(path: db.path, mapSize: maxMap))

    // Vacuum runs in the full store (it frees more than it dirties) and removes everything.
    let vacuumed = try db.vacuum(now: base + .hours(2))
    #expect(vacuumed.removed == written * 8 && vacuumed.done)
    #expect(try db.verify().isClean)

    // The change feed keeps its records of those writes and removals for its retention: trim it,
    // as an operator freeing a full store would.
    try db.trimChanges(before: try db.lastChange() + 1)
    // The same volume again (new versions of the same pairs) fits in the same map.
    let (again, againError) = fill(round: 1, limit: written)
    #expect(
      again == written,
      "after vacuum only \(again) of \(written) batches fit: \(String(describing: againError))")
    #expect(db.env.currentMapSize == maxMap)
    #expect(
      try db.asOf("blob", "e0-0", eventTime: base + .hours(1), as: [UInt8].self)
        == Self.noise(1500, seed: 1 << 32))
    #expect(throws: FeatureDBError.historyVacuumed(feature: "blob", entity: "e0-0", removed: 1)) {
      try db.asOf("blob", "e0-0", eventTime: base)
    }
    #expect(try db.verify().isClean)
  }

  // MARK: - Key limits

  /// Entity ids are whole LMDB keys (at most 511 bytes): 400 UTF-8 bytes is the limit, counted in
  /// bytes whatever the characters, for values and for lineage references alike.
  @Test func entityIdsUpTo400BytesAndNoMore() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int))
    let accepted = [
      String(repeating: "a", count: 400),
      String(repeating: "é", count: 200),  // 2 bytes each
      String(repeating: "😀", count: 100),  // 4 bytes each
      String(repeating: "a/ b", count: 100),
    ]
    for (i, e) in accepted.enumerated() {
      #expect(e.utf8.count == 400)
      try db.put(
        "f", e, i, lineage: Lineage(inputs: i > 0 ? [.version("f", accepted[i - 1], 1)] : []))
      #expect(try db.latest("f", e, as: Int.self) == i)
      let v = try #require(try db.history("f", e).first)
      #expect(v.entity == e && v.version == 1)
      if i > 0 { #expect(v.lineage.inputs == [.version("f", accepted[i - 1], 1)]) }
    }
    let rejected = [
      String(repeating: "a", count: 401),
      String(repeating: "a", count: 399) + "é",  // 400 characters, 401 bytes
      String(repeating: "😀", count: 100) + "a",
      String(repeating: "x", count: 5000),
    ]
    for e in rejected {
      let error = thrownError { try db.put("f", e, 1) }
      guard case .invalidEntity(_, let reason) = error else {
        Issue.record("\(e.utf8.count) bytes: got \(String(describing: error))")
        continue
      }
      #expect(reason == "it is \(e.utf8.count) bytes long; the limit is 400")
      // As a lineage reference, inside a batch with good writes: nothing of the batch is stored.
      let inBatch = thrownError {
        try db.write { b in
          b.put("f", "good", 1)
          b.put("f", "good2", 2, lineage: Lineage(inputs: [.version("f", e, 1)]))
        }
      }
      guard case .invalidEntity = inBatch else {
        Issue.record("lineage input: got \(String(describing: inBatch))")
        continue
      }
      #expect(try db.latest("f", "good") == nil)
      // Reads of an id that cannot exist answer "no value", not an LMDB key-size error.
      #expect(try db.latest("f", e) == nil)
      #expect(try db.history("f", e).isEmpty)
      #expect(try db.read { try $0.latest(features: ["f"], entity: e) } == [nil])
    }
    #expect(try db.verify().isClean)
  }

  /// Feature names are 1 to 200 bytes; they are stored as ids, so a long name never reaches a key.
  @Test func featureNamesUpTo200Bytes() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let longest = String(repeating: "n", count: 196) + ".x_1"
    #expect(longest.utf8.count == 200)
    try db.define(FeatureDefinition(longest, type: .double, ttl: .days(1)))
    try db.put(longest, "e", 0.5)
    try db.put(longest, "e", 1.5, lineage: Lineage(inputs: [.version(longest, "e", 1)]))
    #expect(try db.latest(longest, "e", as: Double.self) == 1.5)
    #expect(try db.feature(longest)?.name == longest)
    #expect(try db.history(longest, "e").first?.lineage.inputs == [.version(longest, "e", 1)])
    let tooLong = longest + "y"
    expectError(.invalidFeatureName(tooLong, reason: "is longer than 200 bytes")) {
      try db.define(FeatureDefinition(tooLong, type: .double))
    }
    expectError(.unknownFeature(tooLong)) { try db.put(tooLong, "e", 1.0) }
    #expect(try db.verify().isClean)
  }

  /// Lineage strings are interned like entity ids, so they are whole keys too: 400 bytes is the
  /// limit, and a longer one is refused by name instead of failing inside LMDB.
  @Test func lineageStringsUpTo400Bytes() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("f", type: .int))
    let s400 = String(repeating: "p", count: 400)
    let full = Lineage(
      producer: s400, run: s400 + "", source: String(repeating: "s", count: 400),
      inputs: [.raw(s400)])
    try db.put("f", "e", 1, lineage: full)
    #expect(try db.history("f", "e").first?.lineage == full)
    // 401 bytes would still fit an LMDB key, 600 would not (MDB_BAD_VALSIZE): both get the same
    // error naming the string.
    for long in [String(repeating: "q", count: 401), String(repeating: "q", count: 600)] {
      let cases: [(Lineage, String)] = [
        (Lineage(producer: long), "producer"), (Lineage(run: long), "run"),
        (Lineage(source: long), "source"),
        (Lineage(inputs: [.raw(long)]), "input id"),
      ]
      for (lineage, what) in cases {
        expectError(
          .invalidArgument(
            "lineage \(what) '\(long.prefix(40))…' is \(long.utf8.count) bytes long; the limit is 400"
          )
        ) {
          try db.put("f", "e", 2, lineage: lineage)
        }
      }
    }
    // The note is not a key: it may be long.
    let note = String(repeating: "n", count: 100_000)
    try db.put("f", "e", 3, lineage: Lineage(note: note))
    #expect(try db.latestVersion("f", "e")?.lineage.note == note)
    #expect(try db.history("f", "e").map(\.version) == [2, 1])
    #expect(try db.verify().isClean)
  }

  // MARK: - Value limits

  /// Values far beyond a page go to LMDB overflow pages: a 5 MB value round-trips (incompressible
  /// and compressible), and replacing it again and again reuses the freed runs of pages.
  @Test func fiveMegabyteValues() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try db.define(FeatureDefinition("big", type: .bytes, maxVersions: 1))
    try db.define(FeatureDefinition("text", type: .string))
    let size = 5 << 20
    let noisy = Self.noise(size, seed: 7)
    try db.put("big", "e", noisy)
    #expect(try db.latest("big", "e", as: [UInt8].self) == noisy)
    let text = String(repeating: "feature store ", count: size / 14 + 1)
    try db.put("text", "e", text)
    #expect(try db.latest("text", "e", as: String.self) == text)
    // maxVersions 1: each write frees the previous value's pages.
    let pageSize = db.env.info().pageSize
    for seed in 8..<14 {
      let value = Self.noise(size, seed: UInt64(seed))
      try db.put("big", "e", value)
      #expect(try db.latest("big", "e", as: [UInt8].self) == value)
    }
    #expect(try db.history("big", "e").map(\.version) == [7])
    let fileBytes = db.env.info().lastPage * pageSize
    #expect(fileBytes < 4 * size, "7 writes of 5 MB left a \(fileBytes)-byte file")
    #expect(try db.verify().isClean)
  }

  /// The widest embedding (65,536 dims, 256 KB as float32) works in every encoding; 65,537 is refused.
  @Test func widestEmbeddings() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let dims = 65_536
    let vector = (0..<dims).map { Float(sin(Double($0) / 100)) }
    for encoding in EmbeddingEncoding.allCases {
      let name = "emb.\(encoding.rawValue)"
      try db.define(FeatureDefinition(name, type: .embedding(dims: dims), encoding: encoding))
      try db.put(name, "e", vector)
      let back = try #require(try db.latest(name, "e", as: [Float].self))
      #expect(back.count == dims)
      let worst = zip(back, vector).map { abs($0 - $1) }.max()!
      switch encoding {
      case .float32: #expect(back == vector)
      case .float16: #expect(worst <= 1.0 / 2048)
      case .bfloat16: #expect(worst <= 1.0 / 256)
      case .int8: #expect(worst <= 2.0 / 255)
      }
    }
    expectError(
      .invalidDefinition(feature: "wider", reason: "embedding dims must be 1…65536, got 65537")
    ) {
      try db.define(FeatureDefinition("wider", type: .embedding(dims: dims + 1)))
    }
    expectError(
      .invalidValue(
        feature: "emb.float32", entity: "e",
        reason: "embedding has 65537 dims, the feature has 65536")
    ) {
      try db.put("emb.float32", "e", vector + [0])
    }
    #expect(try db.verify().isClean)
  }
}
