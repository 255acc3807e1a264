import Foundation
import Testing

@testable import FeatureDB

/// Damaged `data.mdb` files (issue 13, items 1 and 2): each is a typed error at open, never a
/// signal in LMDB and never a new store made in its place.
@Suite struct DamagedFileTests {
  let dir = TemporaryDirectory()

  /// A closed store of a few hundred KB: int, string and out-of-line embedding values.
  func makeClosedStore(_ name: String = "store.fdb") throws -> String {
    let path = dir.child(name)
    let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
    try db.define(FeatureDefinition("n", type: .int))
    try db.define(FeatureDefinition("s", type: .string))
    try db.define(FeatureDefinition("v", type: .embedding(dims: 64)))
    for batch in 0..<5 {
      try db.write { b in
        for e in 0..<200 {
          let id = "entity-\(e)"
          b.put("n", id, Int64(batch * 1000 + e))
          b.put("s", id, String(repeating: "text \(e) ", count: 20))
          b.put("v", id, (0..<64).map { Float($0 + e + batch) })
        }
      }
    }
    try db.sync()
    return path
  }
  /// Overwrites, at `offset` of the newest meta page of the store at `path`, the little-endian
  /// value `value` gives for that meta and its page number (0 or 1).
  func patchNewestMeta<T: FixedWidthInteger>(
    _ path: String, at offset: Int, _ value: (DataFile.Meta, Int) -> T
  ) throws {
    let data = path + "/data.mdb"
    let metas = try DataFile(path: data).metas().get()
    let newest = metas[1].txnID > metas[0].txnID ? 1 : 0
    let handle = try FileHandle(forUpdating: URL(fileURLWithPath: data))
    defer { try? handle.close() }
    try handle.seek(toOffset: UInt64(newest * 4096 + offset))
    try handle.write(
      contentsOf: withUnsafeBytes(of: value(metas[newest], newest).littleEndian) { Data($0) })
  }

  func size(_ file: String) throws -> Int {
    try FileManager.default.attributesOfItem(atPath: file)[.size] as! Int
  }

  func truncate(_ file: String, to size: Int) {
    #expect(Foundation.truncate(file, off_t(size)) == 0)
  }

  @Test func aTruncatedDataFileIsDamagedAtEverySize() throws {
    let original = try makeClosedStore()
    let data = original + "/data.mdb"
    let full = try size(data)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: data))
    let lastPage = try DataFile.current(DataFile(path: data).metas().get()).lastPage
    let needed = Int(lastPage + 1) * 4096
    #expect(full >= needed)
    // Every size from 2 pages to one page short of what the meta needs, in steps, and the odd
    // sizes around page boundaries.
    var sizes = Set(stride(from: 8192, to: needed, by: max(4096, needed / 40)))
    sizes.formUnion([8192, 8193, needed / 2, needed - 4096, needed - 1, needed - 4095])
    for cut in sizes.sorted() {
      try bytes.write(to: URL(fileURLWithPath: data))
      truncate(data, to: cut)
      let error = thrownError { _ = try FeatureStore(path: original) }
      guard case .damagedStore(let path, let detail) = error else {
        Issue.record("cut at \(cut): got \(String(describing: error))")
        continue
      }
      #expect(path == original)
      #expect(detail.contains("truncated"), "cut at \(cut): \(detail)")
      #expect(try size(data) == cut, "the file was changed")
    }
    // Cutting only bytes past the last page LMDB uses loses nothing.
    try bytes.write(to: URL(fileURLWithPath: data))
    truncate(data, to: needed)
    let db = try FeatureStore(path: original)
    #expect(try db.latest("n", "entity-7", as: Int64.self) == 4007)
    #expect(try db.verify().isClean)
  }

  @Test func anEmptyDataFileIsNeverReplaced() throws {
    let path = try makeClosedStore()
    truncate(path + "/data.mdb", to: 0)
    for options in [
      StoreOptions(), StoreOptions(create: true), StoreOptions(create: false),
      StoreOptions(readOnly: true),
    ] {
      let error = thrownError { _ = try FeatureStore(path: path, options: options) }
      guard case .damagedStore(_, let detail) = error else {
        Issue.record("got \(String(describing: error))")
        continue
      }
      #expect(detail.contains("empty (0 bytes)"))
      #expect(try size(path + "/data.mdb") == 0)
    }
  }

  @Test func aMissingParentDirectoryIsNamedNotPermissionDenied() {
    let path = dir.child("no/such/store.fdb")
    expectError(
      .invalidArgument(
        "cannot create the store \(path): the directory \(dir.child("no/such")) does not exist")
    ) { _ = try FeatureStore(path: path) }
  }

  @Test func onlyTheCreateOptionMakesAStore() throws {
    let missing = dir.child("missing")
    expectError(
      .notAStore(
        path: missing,
        reason: "it does not exist (open with StoreOptions(create: true) or run 'fdb init')")
    ) {
      _ = try FeatureStore(path: missing, options: StoreOptions(create: false))
    }
    #expect(!FileManager.default.fileExists(atPath: missing))
    let empty = dir.child("empty")
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
    expectError(.notAStore(path: empty, reason: "no data.mdb in the directory")) {
      _ = try FeatureStore(path: empty, options: StoreOptions(create: false))
    }
    // The default creates, as the README's example expects; then create: false opens it.
    _ = try FeatureStore(path: missing)
    _ = try FeatureStore(path: missing, options: StoreOptions(create: false))
  }

  /// Tree flags in the meta page (main tree at offset 92, free-page tree at 44): a DUPSORT bit
  /// made LMDB assert and abort at the first write (found by the `store` fuzz target).
  @Test(arguments: [92, 44]) func aMetaPageWithWrongTreeFlags(offset: Int) throws {
    let path = try makeClosedStore("flags-\(offset).fdb")
    try patchNewestMeta(path, at: offset) { _, _ in UInt16(0x0C) }
    let error = thrownError { _ = try FeatureStore(path: path) }
    guard case .damagedStore(_, let detail) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(detail.contains("flags 0xc"), "\(detail)")
  }

  /// The main tree's root (offset 128 of the meta page) or the free-page tree's (offset 80,
  /// read by every write: found by the `store` fuzz target) points far past the end, or the last
  /// page (offset 136: the `store` fuzz target found a write retrying forever) is far past it.
  @Test(arguments: [128, 80, 136]) func aMetaPageNamingARootBeyondTheFile(offset: Int) throws {
    let path = try makeClosedStore("store-\(offset).fdb")
    try patchNewestMeta(path, at: offset) { _, _ in UInt64(1 << 40) }
    let error = thrownError { _ = try FeatureStore(path: path) }
    guard case .damagedStore = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
  }
}

/// Page-header damage (issue 13, item 3): verify walks the pages itself and reports it.
@Suite struct PageDamageTests {
  let dir = TemporaryDirectory()

  @Test func aCleanStoreWalksClean() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("n", type: .int))
    try db.define(FeatureDefinition("b", type: .bytes))
    try db.write { b in
      for e in 0..<3000 { b.put("n", "e\(e)", Int64(e)) }
      b.put("b", "big", [UInt8](repeating: 7, count: 20_000))
    }
    for e in 0..<1500 { try db.delete("n", "e\(e)") }
    let report = try db.env.read { txn in try db.env.checkStructure(txn, maxProblems: 10) }
    #expect(report?.problems == [])
    #expect((report?.pagesVisited ?? 0) > 10)
    #expect(try db.verify().isClean)
  }

  /// Every bit of every page header (16 bytes) of every page, flipped in turn: verify reports
  /// the damage, or the flip is harmless and every value still reads right. Nothing crashes.
  /// Async only to yield between pages (see `DamagedStoreCorpusTests`); the work is in
  /// synchronous helpers (in an async function the async overloads of the store would be picked).
  @Test func everyHeaderBitFlipIsReportedOrHarmless() async throws {
    let path = dir.child("store.fdb")
    try Self.makeFlipStore(path)
    let data = path + "/data.mdb"
    let original = try Data(contentsOf: URL(fileURLWithPath: data))
    let meta = DataFile.current(try DataFile(path: data).metas().get())
    var counts = FlipCounts()
    for page in 2...Int(meta.lastPage) {
      await Task.yield()
      try Self.flipHeader(of: page, path: path, original: original, &counts)
    }
    print(
      "header flips: \(counts.reported) reported, \(counts.harmless) harmless; \(counts.readErrors) reads said corrupt"
    )
    #expect(counts.reported > 0)
  }

  struct FlipCounts {
    var reported = 0
    var harmless = 0
    var readErrors = 0
  }

  static func makeFlipStore(_ path: String) throws {
    let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
    try db.define(FeatureDefinition("n", type: .int))
    try db.define(FeatureDefinition("s", type: .string))
    try db.write { b in
      for e in 0..<400 {
        b.put("n", "entity-\(e)", Int64(e))
        b.put("s", "entity-\(e)", String(repeating: "x", count: e % 7 == 0 ? 3000 : 10))
      }
    }
    try db.sync()
  }

  /// Bits 0, 3 and 7 of each of the page's 16 header bytes, one at a time.
  static func flipHeader(of page: Int, path: String, original: Data, _ counts: inout FlipCounts)
    throws
  {
    let data = path + "/data.mdb"
    for byte in 0..<16 {
      for bit in [0, 3, 7] {
        var damaged = original
        damaged[page * 4096 + byte] ^= UInt8(1 << bit)
        try damaged.write(to: URL(fileURLWithPath: data))
        let db: FeatureStore
        do {
          db = try FeatureStore(
            path: path, options: StoreOptions(readOnly: true, checkPages: true))
        } catch is FeatureDBError {
          counts.reported += 1
          continue
        }
        let report = try db.verify()
        if !report.isClean {
          counts.reported += 1
          // Reads give the right value or a typed error, never a wrong "no value".
          for e in stride(from: 0, to: 400, by: 13) {
            do {
              let value = try db.latest("n", "entity-\(e)", as: Int64.self)
              #expect(
                value == Int64(e),
                "page \(page) byte \(byte) bit \(bit) entity-\(e): \(report.problems.first!)")
            } catch is FeatureDBError {
              counts.readErrors += 1
            }
          }
          continue
        }
        // Clean: then the flip must not have changed any answer.
        for e in stride(from: 0, to: 400, by: 37) {
          #expect(
            try db.latest("n", "entity-\(e)", as: Int64.self) == Int64(e),
            "page \(page) byte \(byte) bit \(bit)")
        }
        counts.harmless += 1
      }
    }
  }
}

/// LMDB reads meta page `txnid & 1`, whatever page the newest transaction id is on: a damaged
/// transaction id of the wrong parity sent LMDB to the other meta page and its stale, reused
/// pages (a bus error, found by the `store` fuzz target). It is damage at open.
@Suite struct MetaParityTests {
  let stores = DamagedFileTests()  // keeps its directory for the test's length

  @Test func aTransactionIdOnTheWrongMetaPageIsDamage() throws {
    let path = try stores.makeClosedStore("parity.fdb")
    try stores.patchNewestMeta(path, at: 144) { meta, _ in meta.txnID + 1 }  // mm_txnid
    let error = thrownError { _ = try FeatureStore(path: path) }
    guard case .damagedStore(_, let detail) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(detail.contains("transaction"), "\(detail)")
  }
}

extension MetaParityTests {
  /// A transaction id of 2⁶³ or more (on the right meta page) is read without trapping:
  /// `mdb_txn_id` gives it back as a negative `Int` (found by the `store` fuzz target in CI).
  @Test func aHugeTransactionIdDoesNotTrap() throws {
    let path = try stores.makeClosedStore("huge-txnid.fdb")
    try stores.patchNewestMeta(path, at: 144) { _, newest in (1 << 63) | UInt64(newest) }
    do {
      let db = try FeatureStore(path: path)
      try db.checkStructure()
      #expect(try db.verify().problemCount >= 0)
    } catch is FeatureDBError {}  // a typed error is fine; a trap is not
  }
}
