import Foundation
import Testing

@testable import FeatureDB

/// The damaged-store corpus (issue 13): truncations at many sizes, an empty file, page-header
/// bit flips, pages of random bytes and meta values out of range. Every `fdb` command on every
/// damaged store exits with a documented status and a one-line error, or gives the right
/// answer; none dies of a signal, and none creates a store in place of a damaged one.
@Suite(.serialized) struct DamagedStoreCorpusTests {
  let cli = CLI()

  /// Builds the clean store: ints, long strings (out of line), embeddings, a TTL feature.
  func makeClean(_ path: String) throws {
    let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
    try db.define(FeatureDefinition("n", type: .int))
    try db.define(FeatureDefinition("s", type: .string))
    try db.define(FeatureDefinition("v", type: .embedding(dims: 16)))
    try db.define(FeatureDefinition("t", type: .double, maxVersions: 2, ttl: .days(3650)))
    for round in 0..<3 {
      try db.write { b in
        for e in 0..<300 {
          b.put(
            "n", "e\(e)", Int64(e * 10 + round),
            eventTime: .init(microseconds: 1_000 + Int64(round)))
          b.put("s", "e\(e)", String(repeating: "s\(e)-", count: e % 5 == 0 ? 40 : 2))
          b.put("v", "e\(e)", (0..<16).map { Float($0 * e + round) })
          b.put("t", "e\(e)", Double(round))
        }
      }
    }
    try db.sync()
  }

  enum Damage: CustomStringConvertible {
    case truncate(Int)
    case flip(offset: Int, bit: Int)
    case garbage(page: Int, seed: UInt64)
    case meta(MetaStore.Key, UInt64)

    var description: String {
      switch self {
      case .truncate(let n): "truncated to \(n) bytes"
      case .flip(let o, let b): "bit \(b) of byte \(o) (page \(o / 4096), header byte \(o % 4096))"
      case .garbage(let p, let s): "page \(p) of random bytes (seed \(s))"
      case .meta(let k, let v): "meta \(k.rawValue) = \(v)"
      }
    }
  }

  func apply(_ damage: Damage, to path: String, original: Data) throws {
    let data = path + "/data.mdb"
    switch damage {
    case .truncate(let n):
      #expect(truncate(data, off_t(n)) == 0)
    case .flip(let offset, let bit):
      var bytes = original
      bytes[offset] ^= UInt8(1 << bit)
      try bytes.write(to: URL(fileURLWithPath: data))
    case .garbage(let page, let seed):
      var rng = SplitMix64(seed: seed)
      var bytes = original
      for i in 0..<4096 { bytes[page * 4096 + i] = UInt8.random(in: 0...255, using: &rng) }
      try bytes.write(to: URL(fileURLWithPath: data))
    case .meta(let key, let value):
      let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
      try db.env.write { txn in try MetaStore(table: db.tables.meta).set(txn, key, value) }
      try db.sync()
    }
  }

  /// Async only to yield between stores: a long synchronous test would hold one of the few
  /// cooperative threads for a minute, and async tests running beside it need them.
  @Test func everyCommandOnEveryDamagedStoreExitsCleanly() async throws {
    let seed = UInt64(ProcessInfo.processInfo.environment["FDB_CORPUS_SEED"] ?? "") ?? 20_261_130
    print("damaged-store corpus seed \(seed) (FDB_CORPUS_SEED)")
    var rng = SplitMix64(seed: seed)
    let clean = cli.dir.child("clean.fdb")
    try makeClean(clean)
    let original = try Data(contentsOf: URL(fileURLWithPath: clean + "/data.mdb"))
    let meta = DataFile.current(try DataFile(path: clean + "/data.mdb").metas().get())
    let needed = Int(meta.lastPage + 1) * 4096
    let pages = Int(meta.lastPage)

    // What the clean store answers.
    let reads: [[String]] = [
      ["get", "n", "e7"], ["get", "s", "e10"], ["get", "v", "e3"], ["get", "n", "e299"],
      ["get", "n", "nobody"], ["history", "t", "e5"], ["features"],
    ]
    var expected: [[String]: Outcome] = [:]
    for r in reads { expected[r] = try cli.run(["--db", clean] + r) }
    let exportClean = cli.dir.child("clean.csv")
    #expect(
      try cli.run(["--db", clean, "export", "--all-features", "--out", exportClean]).status == 0)

    var corpus: [Damage] = [.truncate(0), .truncate(4096), .truncate(8193), .truncate(needed / 2)]
    corpus += [.truncate(needed - 4096), .truncate(needed - 1)]
    for _ in 0..<24 {
      let page = Int.random(in: 2...pages, using: &rng)
      corpus.append(
        .flip(
          offset: page * 4096 + Int.random(in: 0..<16, using: &rng),
          bit: Int.random(in: 0..<8, using: &rng)))
    }
    for _ in 0..<4 {
      corpus.append(.garbage(page: Int.random(in: 2...pages, using: &rng), seed: rng.next()))
    }
    corpus += [
      .meta(.format, 0), .meta(.format, 1 << 32), .meta(.epoch, UInt64(bitPattern: Int64.min)),
      .meta(.lastWriteTime, UInt64(Int64.max)), .meta(.catalogVersion, UInt64.max),
    ]

    var statuses: [Int32: Int] = [:]
    for (i, damage) in corpus.enumerated() {
      await Task.yield()
      let path = cli.dir.child("damaged-\(i).fdb")
      try FileManager.default.copyItem(atPath: clean, toPath: path)
      try apply(damage, to: path, original: original)
      func check(_ arguments: [String], _ verify: (Outcome) -> Void = { _ in }) throws {
        let outcome = try cli.run(["--db", path] + arguments)
        statuses[outcome.status, default: 0] += 1
        #expect(
          !outcome.crashed,
          "\(damage): fdb \(arguments.joined(separator: " ")) died of signal \(outcome.status)")
        #expect((0...4).contains(outcome.status), "\(damage): \(arguments): \(outcome)")
        if outcome.status != 0, outcome.status != 4 || arguments != ["verify"] {
          #expect(
            outcome.stderr.hasPrefix("fdb: error: ")
              && outcome.stderr.split(separator: "\n").count == 1,
            "\(damage): \(arguments): \(outcome.stderr)")
        }
        verify(outcome)
      }
      try check(["verify"])
      for r in reads {
        try check(r) { outcome in
          // A right answer, or an error: never a wrong value or a wrong "no value".
          if outcome.status == 0 || outcome.status == 3 {
            #expect(
              outcome.status == expected[r]!.status && outcome.stdout == expected[r]!.stdout,
              "\(damage): fdb \(r.joined(separator: " ")): \(outcome) expected \(expected[r]!)")
          }
        }
      }
      let csv = cli.dir.child("damaged-\(i).csv")
      try check(["export", "--all-features", "--out", csv]) { outcome in
        if outcome.status == 0 {
          #expect(
            FileManager.default.contents(atPath: csv)
              == FileManager.default.contents(atPath: exportClean),
            "\(damage): export differs")
        } else {
          #expect(
            !FileManager.default.fileExists(atPath: csv), "\(damage): a failed export left a file")
        }
      }
      try check(["stats"])
      try check(["compact", cli.dir.child("compact-\(i)")])
      try check(["put", "n", "e7", "99"])
      try check(["define", "newf", "--type", "int"])
      try check(["vacuum"])
      try check(["prune"])
      // Never replaced by a new store.
      let size =
        (try FileManager.default.attributesOfItem(atPath: path + "/data.mdb"))[.size] as! Int
      if case .truncate(0) = damage { #expect(size == 0) }
    }
    print(
      "damaged-store corpus: \(corpus.count) stores, exit statuses \(statuses.sorted { $0.key < $1.key })"
    )
  }
}
