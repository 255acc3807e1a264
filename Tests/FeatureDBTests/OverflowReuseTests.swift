import Foundation
import Testing

@testable import FeatureDB

/// LMDB rewrites a big value in place when its overflow run is long enough, keeping the longer
/// run: a healthy store then holds runs longer than their values need. Page checks must accept
/// them (issue 19, item 1: two ordinary imports made `verify` fail and `export` refuse).
@Suite struct OverflowReuseTests {
  /// 400 rows of entity `u` one second apart from `start`, values about 23 bytes.
  func rows(from start: String) -> String {
    let base = Timestamp(iso8601: start)!
    var text = "entity,event_time,s\n"
    for i in 0..<400 {
      text +=
        "u,\(base + .seconds(Int64(i))),value-number-\(String(repeating: "0", count: 6))\(i)\n"
    }
    return text
  }

  @Test func twoImportsOfOneEntityOutOfOrderVerifyCleanAndExport() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("s", type: .string, maxVersions: 0))
    for (name, start) in [("a", "2026-01-05T00:00:00Z"), ("b", "2026-01-04T00:00:00.5Z")] {
      let path = dir.child("\(name).csv")
      try rows(from: start).write(toFile: path, atomically: true, encoding: .utf8)
      try db.importCSV(
        path, options: ImportOptions(entityColumn: "entity", timestampColumn: "event_time"))
    }
    let report = try db.verify()
    #expect(report.isClean, "\(report.problems.prefix(5).map(\.description))")
    try db.exportSnapshot(to: dir.child("out.csv"), options: ExportOptions(features: ["s"]))
    #expect(try db.history("s", "u", limit: 1000).count == 800)
  }

  /// A value that shrinks from many overflow pages to fewer, rewritten in one transaction,
  /// keeps its longer run (LMDB `mdb_cursor_put`: "Is the ov page large enough?").
  @Test func aShrunkBigValueRewrittenInPlaceVerifiesClean() throws {
    let dir = TemporaryDirectory()
    let env = try Environment(path: dir.path, options: EnvironmentOptions(durability: .noSync))
    let table = try env.write { txn in try Table.open("t", in: txn) }
    try env.write { txn in
      try table.put(txn, key: [1], value: [UInt8](repeating: 7, count: 20_000))
      try table.put(txn, key: [1], value: [UInt8](repeating: 8, count: 5_000))
    }
    try env.read { txn in
      let structure = try #require(try env.checkStructure(txn, maxProblems: 10))
      #expect(structure.problems.isEmpty, "\(structure.problems)")
    }
  }
}
