import Foundation
import Testing

@testable import FeatureDB

/// Writes `text` to a new file in `dir` and returns its path.
func writeFile(_ dir: TemporaryDirectory, _ name: String, _ text: String) -> String {
  let path = dir.child(name)
  #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
  return path
}

func readFile(_ path: String) -> String {
  (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
}

/// Every record `CSVReader` reads from `bytes` (through a file named in.csv in `dir`).
func csvRecords(_ bytes: [UInt8], _ dir: TemporaryDirectory) throws(CSVError) -> [[String]] {
  let path = dir.child("in.csv")
  #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
  let fd = open(path, O_RDONLY)
  defer { close(fd) }
  var reader = CSVReader(fd: fd, name: "in.csv")
  var out: [[String]] = []
  while let r = try reader.next() { out.append(r) }
  return out
}

@Suite struct CSVReaderTests {
  func records(_ bytes: [UInt8]) throws(CSVError) -> [[String]] {
    try csvRecords(bytes, TemporaryDirectory())
  }

  func records(_ text: String) throws(CSVError) -> [[String]] { try records(Array(text.utf8)) }

  @Test func readsRFC4180() throws {
    #expect(try records("a,b\n1,2\n") == [["a", "b"], ["1", "2"]])
    #expect(try records("a,b\r\n1,2") == [["a", "b"], ["1", "2"]])
    #expect(try records("x\n\"q,\"\"uoted\"\"\nline\",\n") == [["x"], ["q,\"uoted\"\nline", ""]])
    #expect(try records("\u{FEFF}a\n") == [["a"]])
    #expect(try records("a,,\n") == [["a", "", ""]])
    #expect(try records("") == [])
    #expect(try records("ü,日本\n") == [["ü", "日本"]])
  }

  @Test func namesLineAndColumnOfErrors() {
    #expect(
      throws: CSVError(file: "in.csv", line: 2, column: 2, message: "unterminated quoted field")
    ) {
      try records("a,b\n1,\"open\n\n")
    }
    #expect(
      throws: CSVError(
        file: "in.csv", line: 1, column: 1,
        message: "a quote inside an unquoted field (quote the whole field and double the quote)")
    ) {
      try records("ab\"c\n")
    }
    #expect(
      throws: CSVError(file: "in.csv", line: 3, column: 2, message: "the field is not valid UTF-8")
    ) {
      try records([UInt8]("a,b\n1,2\n3,".utf8) + [0xFF, 0xFE] + [10])
    }
    #expect(
      throws: CSVError(
        file: "in.csv", line: 1, column: 1, message: "text after the closing quote of a field")
    ) {
      try records("\"a\"b\n")
    }
  }

  /// Random bytes of CSV's alphabet: each input is read or refused with a `CSVError` naming a
  /// line, and an odd number of quotes is always refused (an unterminated field). Seeded: the
  /// seed is printed, and `FDB_TEST_SEED` replays it.
  @Test func survivesRandomBytes() {
    let seed = UInt64(ProcessInfo.processInfo.environment["FDB_TEST_SEED"] ?? "") ?? 20_261_130
    print("CSVReaderTests.survivesRandomBytes seed \(seed)")
    var rng = SplitMix64(seed: seed)
    let alphabet: [UInt8] = Array("a,\"\r\n\u{00e9}".utf8) + [0xFF, 0x00]
    var (read, refused) = (0, 0)
    for _ in 0..<500 {
      let bytes = (0..<Int.random(in: 0...60, using: &rng)).map { _ in
        alphabet.randomElement(using: &rng)!
      }
      do {
        _ = try records(bytes)
        read += 1
        #expect(bytes.filter { $0 == UInt8(ascii: "\"") }.count % 2 == 0, "\(bytes)")
      } catch {
        refused += 1
        #expect(error.line >= 1, "\(error)")
      }
    }
    #expect(read >= 10 && refused >= 10, "read \(read), refused \(refused)")
  }
}

@Suite struct ExportTests {
  let db: FeatureStore
  let dir: TemporaryDirectory

  init() throws {
    (db, dir) = try makeStore()
    try db.define(FeatureDefinition("spend", type: .double, maxVersions: 0, ttl: .hours(2)))
    try db.define(FeatureDefinition("segment", type: .string, maxVersions: 0))
    try db.define(FeatureDefinition("vec", type: .embedding(dims: 2)))
    try db.write { b in
      b.put("spend", "u1", 1.0, eventTime: t(1))
      b.put("spend", "u1", 3.0, eventTime: t(3))
      b.put("spend", "u2", 0.1, eventTime: t(1))
      b.put("segment", "u1", "a, \"quoted\"\nvalue", eventTime: t(0))
      b.put("segment", "u3", "c", eventTime: t(0))
      b.put("vec", "u1", [Float]([0.5, -1]), eventTime: t(0))
    }
  }

  func options(
    _ features: [String], _ format: EmbeddingCSVFormat = .json, eventTime: Timestamp? = nil,
    writeTime: Timestamp? = nil, allowMissing: Bool = false
  ) -> ExportOptions {
    ExportOptions(
      features: features, eventTime: eventTime, writeTime: writeTime, embeddingFormat: format,
      allowMissingHistory: allowMissing)
  }

  @Test func snapshotHasOneRowPerEntity() throws {
    let out = dir.child("snap.csv")
    let summary = try db.exportSnapshot(
      to: out, options: options(["spend", "segment", "vec"], eventTime: t(3)))
    #expect(summary.rows == 3 && summary.cells == 9 && summary.eventTime == t(3))
    #expect(
      readFile(out) == #"""
        entity_id,spend,segment,vec
        u1,3.0,"a, ""quoted""
        value","[0.5,-1.0]"
        u2,0.1,,
        u3,,c,

        """#)
  }

  @Test func snapshotAsOfAnEarlierTimeAndAPrefix() throws {
    let out = dir.child("snap.csv")
    try db.exportSnapshot(
      to: out, entityPrefix: "u1", options: options(["spend", "vec"], .columns, eventTime: t(2)))
    #expect(readFile(out) == "entity_id,spend,vec_0,vec_1\nu1,1.0,0.5,-1.0\n")
  }

  @Test func pointInTimeFollowsTheAsOfRuleAndPassesColumnsThrough() throws {
    let rows = writeFile(
      dir, "rows.csv",
      #"""
      entity_id,event_timestamp,label,comment
      u1,2026-01-01T03:00:00Z,1,exact time
      u1,2026-01-01T00:30:00Z,0,"before any value, of spend"
      u1,2026-01-01T02:59:59Z,1,"""quoted"""
      u1,2026-01-01T03:00:00Z,1,exact time
      u2,2026-01-01T03:00:00Z,0,ttl edge: valid through 03:00
      u2,2026-01-01T03:00:00.000001Z,0,one tick after
      nobody,2026-01-01 05:00:00,0,"naive time, unknown entity"

      """#)
    let out = dir.child("pit.csv")
    let summary = try db.exportPointInTime(
      entityRows: rows, to: out, options: options(["spend", "segment"]))
    #expect(summary.rows == 7)
    #expect(
      readFile(out) == #"""
        entity_id,event_timestamp,label,comment,spend,segment
        u1,2026-01-01T03:00:00Z,1,exact time,3.0,"a, ""quoted""
        value"
        u1,2026-01-01T00:30:00Z,0,"before any value, of spend",,"a, ""quoted""
        value"
        u1,2026-01-01T02:59:59Z,1,"""quoted""",1.0,"a, ""quoted""
        value"
        u1,2026-01-01T03:00:00Z,1,exact time,3.0,"a, ""quoted""
        value"
        u2,2026-01-01T03:00:00Z,0,ttl edge: valid through 03:00,0.1,
        u2,2026-01-01T03:00:00.000001Z,0,one tick after,,
        nobody,2026-01-01 05:00:00,0,"naive time, unknown entity",,

        """#)
  }

  @Test func tiesGoToTheLaterWrite() throws {
    try db.put("spend", "tie", 1.0, eventTime: t(5))
    try db.put("spend", "tie", 2.0, eventTime: t(5))
    let rows = writeFile(dir, "rows.csv", "entity_id,event_timestamp\ntie,2026-01-01T05:30:00Z\n")
    let out = dir.child("pit.csv")
    try db.exportPointInTime(entityRows: rows, to: out, options: options(["spend"]))
    #expect(readFile(out) == "entity_id,event_timestamp,spend\ntie,2026-01-01T05:30:00Z,2.0\n")
  }

  @Test func theSameWriteTimeGivesAByteIdenticalFile() throws {
    let w = Timestamp.now
    let rows = writeFile(
      dir, "rows.csv",
      "entity_id,event_timestamp\nu1,2026-01-01T09:00:00Z\nu2,2026-01-01T01:00:00Z\n")
    let first = dir.child("a.csv")
    let second = dir.child("b.csv")
    try db.exportPointInTime(
      entityRows: rows, to: first, options: options(["spend", "segment"], writeTime: w))
    try db.exportSnapshot(
      to: first + ".snap", options: options(["spend", "segment"], eventTime: t(9), writeTime: w))
    // Later writes, including corrections of the past.
    try db.put("spend", "u1", 99.0, eventTime: t(8))
    try db.put("segment", "u2", "late", eventTime: t(0))
    // An entity first written after W is not in a snapshot as of W.
    try db.put("spend", "newcomer", 5.0, eventTime: t(1))
    try db.exportPointInTime(
      entityRows: rows, to: second, options: options(["spend", "segment"], writeTime: w))
    try db.exportSnapshot(
      to: second + ".snap", options: options(["spend", "segment"], eventTime: t(9), writeTime: w))
    #expect(readFile(first) == readFile(second))
    #expect(readFile(first + ".snap") == readFile(second + ".snap"))
    // Without W the new values show.
    try db.exportPointInTime(entityRows: rows, to: second, options: options(["spend", "segment"]))
    #expect(readFile(first) != readFile(second))
  }

  @Test func removedHistoryFailsOrIsCountedOnRequest() throws {
    try db.define(FeatureDefinition("few", type: .int, maxVersions: 1))
    try db.put("few", "u1", 1, eventTime: t(1))
    try db.put("few", "u1", 2, eventTime: t(5))
    let rows = writeFile(
      dir, "rows.csv",
      "entity_id,event_timestamp\nu1,2026-01-01T02:00:00Z\nu1,2026-01-01T06:00:00Z\n")
    let out = dir.child("pit.csv")
    let cell = MissingHistoryCell(
      feature: "few", entity: "u1", eventTime: t(2), removedBy: .pruning)
    expectError(.exportNeedsRemovedHistory(cells: 1, first: [cell])) {
      try db.exportPointInTime(entityRows: rows, to: out, options: options(["few"]))
    }
    #expect(
      FeatureDBError.exportNeedsRemovedHistory(cells: 1, first: [cell]).description
        == "1 cell needs history that pruning or vacuum removed (feature 'few' entity 'u1' at 2026-01-01T02:00:00Z (pruning)); nothing was written (pass --allow-missing-history / allowMissingHistory to write them empty)"
    )
    #expect(!FileManager.default.fileExists(atPath: out))
    let summary = try db.exportPointInTime(
      entityRows: rows, to: out, options: options(["few"], allowMissing: true))
    #expect(summary.missingHistoryCells == 1 && summary.firstMissingHistory == [cell])
    #expect(
      readFile(out)
        == "entity_id,event_timestamp,few\nu1,2026-01-01T02:00:00Z,\nu1,2026-01-01T06:00:00Z,2\n")
    // A snapshot export names its T; more cells than kept: "first:".
    for i in 2...8 {
      try db.put("few", "e\(i)", 1, eventTime: t(1))
      try db.put("few", "e\(i)", 2, eventTime: t(5))
    }
    let error = thrownError {
      try db.exportSnapshot(to: out, options: options(["few"], eventTime: t(2)))
    }
    guard case .exportNeedsRemovedHistory(let cells, let first) = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(cells == 8 && first.count == 5)
    #expect(
      first.first
        == MissingHistoryCell(feature: "few", entity: "e2", eventTime: t(2), removedBy: .pruning))
    #expect(
      error!.description.hasPrefix(
        "8 cells need history that pruning or vacuum removed (first: feature 'few' entity 'e2' at 2026-01-01T02:00:00Z (pruning); "
      ))
  }

  @Test func badInputIsNamedAndNothingIsWritten() throws {
    let out = dir.child("out.csv")
    func check(_ text: String, _ expected: CSVError) {
      let rows = writeFile(dir, "rows.csv", text)
      expectError(.badCSV(expected)) {
        try db.exportPointInTime(entityRows: rows, to: out, options: options(["spend"]))
      }
      #expect(!FileManager.default.fileExists(atPath: out))
    }
    check(
      "",
      CSVError(
        file: "rows.csv", line: 1, column: nil, message: "the file is empty; a header row is needed"
      ))
    check(
      "entity_id,entity_id,event_timestamp\n",
      CSVError(file: "rows.csv", line: 1, column: 2, message: "column 'entity_id' appears twice"))
    check(
      "id,event_timestamp\n",
      CSVError(
        file: "rows.csv", line: 1, column: nil,
        message: "no column 'entity_id' (columns: id, event_timestamp)"))
    check(
      "entity_id,event_timestamp\nu1\n",
      CSVError(file: "rows.csv", line: 2, column: nil, message: "1 fields, the header has 2"))
    check(
      "entity_id,event_timestamp\nu1,yesterday\n",
      CSVError(file: "rows.csv", line: 2, column: 2, message: "'yesterday' is not an ISO-8601 time")
    )
    check(
      "entity_id,event_timestamp\n\"u1,2026\n",
      CSVError(file: "rows.csv", line: 2, column: 1, message: "unterminated quoted field"))
    let rows = writeFile(dir, "rows.csv", "entity_id,event_timestamp\n")
    expectError(
      .invalidArgument(
        "cannot write /nonexistent/dir/out.csv: the directory /nonexistent/dir does not exist")
    ) {
      try db.exportPointInTime(
        entityRows: rows, to: "/nonexistent/dir/out.csv", options: options(["spend"]))
    }
    expectError(.unknownFeature("nope")) {
      try db.exportSnapshot(to: out, options: options(["nope"]))
    }
  }

  @Test func pythonsCSVModuleReadsTheExactValues() throws {
    try db.define(FeatureDefinition("x", type: .double))
    let values: [Double] = [0.1, 1e-300, 123456789.125, -2.5e17, 1.0 / 3]
    try db.write { b in
      for (i, v) in values.enumerated() { b.put("x", "e\(i)", v, eventTime: t(0)) }
    }
    let out = dir.child("x.csv")
    try db.exportSnapshot(to: out, options: options(["x", "segment"], eventTime: t(1)))
    let script = """
      import csv, sys
      rows = list(csv.DictReader(open(sys.argv[1], newline='', encoding='utf-8')))
      for r in rows:
          if r['x']: print(r['entity_id'], repr(float(r['x'])))
      print('segment', repr([r['segment'] for r in rows if r['segment']]))
      """
    let (status, output, error) = try run("/usr/bin/env", ["python3", "-c", script, out])
    #expect(status == 0, "\(error)")
    let expected = values.enumerated().map { "e\($0.offset) \($0.element)" }.joined(separator: "\n")
    #expect(output.hasPrefix(expected.replacingOccurrences(of: "e-300", with: "e-300")))
    #expect(output.contains("segment ['a, \"quoted\"\\nvalue', 'c']"))
  }
}
