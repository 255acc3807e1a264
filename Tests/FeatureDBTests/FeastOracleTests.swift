import Foundation
import Testing

@testable import FeatureDB

/// The point-in-time export checked against an independent implementation of Feast's
/// `get_historical_features` rule, in Python: for each entity row and feature, the value of the
/// feature row with the greatest event timestamp ≤ the row's timestamp and ≥ timestamp − ttl
/// (both inclusive; no ttl: no lower bound), ties broken by the later created timestamp; no
/// candidate → null, the row kept.
@Suite struct FeastOracleTests {
  static let oracle = #"""
    import csv, sys
    history, rows, out = sys.argv[1], sys.argv[2], sys.argv[3]
    ttl = {}
    data = {}
    for r in csv.DictReader(open(history, newline='')):
        ttl[r['feature']] = int(r['ttl_us']) if r['ttl_us'] else None
        data.setdefault((r['feature'], r['entity']), []).append((int(r['event_us']), int(r['created']), r['value']))
    features = sorted(ttl)
    def parse(ts):  # '2026-01-01T00:00:00.123456Z' -> microseconds since the epoch
        from datetime import datetime, timezone
        return int(round(datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=timezone.utc).timestamp() * 1e6))
    with open(out, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        for r in csv.DictReader(open(rows, newline='')):
            t = parse(r['event_timestamp'])
            cells = []
            for feat in features:
                best = None
                for (e, c, v) in data.get((feat, r['entity_id']), []):
                    if e > t or (ttl[feat] is not None and e < t - ttl[feat]):
                        continue
                    if best is None or (e, c) > (best[0], best[1]):
                        best = (e, c, v)
                cells.append('' if best is None else best[2])
            w.writerow([r['entity_id'], r['event_timestamp']] + cells)
    """#

  @Test func pointInTimeExportMatchesFeastsRule() throws {
    let (db, dir) = try makeStore()
    let ttls: [String: TimeSpan?] = ["a": .hours(3), "b": nil, "c": .minutes(30)]
    for (name, ttl) in ttls {
      try db.define(FeatureDefinition(name, type: .double, maxVersions: 0, ttl: ttl))
    }
    var rng = SplitMix64(seed: 2026)
    var history = "feature,entity,event_us,created,ttl_us,value\n"
    var created = 0
    let base = t(0)
    for _ in 0..<40 {  // 40 batches, written in order: `created` is the write order
      try db.write { b in
        for _ in 0..<50 {
          let feature = ["a", "b", "c"].randomElement(using: &rng)!
          let entity = "e\(Int.random(in: 0..<8, using: &rng))"
          // Coarse times make ties and exact matches frequent.
          let event = base + .minutes(Int64.random(in: 0..<48, using: &rng) * 15)
          let value = Double(Int.random(in: -1000...1000, using: &rng)) / 8
          b.put(feature, entity, value, eventTime: event)
          created += 1
          let ttl = ttls[feature]!.map { String($0.microseconds) } ?? ""
          history += "\(feature),\(entity),\(event.microseconds),\(created),\(ttl),\(value)\n"
        }
      }
    }
    var rows = "entity_id,event_timestamp\n"
    for _ in 0..<400 {
      let time =
        base + .minutes(Int64.random(in: -2..<52, using: &rng) * 15)
        + TimeSpan(microseconds: Int64.random(in: -1...1, using: &rng))
      rows += "e\(Int.random(in: 0..<9, using: &rng)),\(time.iso8601WithFraction)\n"
    }
    let historyPath = writeFile(dir, "history.csv", history)
    let rowsPath = writeFile(dir, "rows.csv", rows)
    let ours = dir.child("ours.csv")
    let theirs = dir.child("oracle.csv")
    try db.exportPointInTime(
      entityRows: rowsPath, to: ours, options: ExportOptions(features: ["a", "b", "c"]))
    let (status, _, error) = try run(
      "/usr/bin/env", ["python3", "-c", Self.oracle, historyPath, rowsPath, theirs])
    #expect(status == 0, "\(error)")
    let ourLines = readFile(ours).split(separator: "\n").dropFirst().map {
      $0.split(separator: ",", omittingEmptySubsequences: false)
    }
    let oracleLines = readFile(theirs).split(separator: "\n").map {
      $0.split(separator: ",", omittingEmptySubsequences: false)
    }
    #expect(ourLines.count == 400 && oracleLines.count == 400)
    var nonEmpty = 0
    for (i, (mine, expected)) in zip(ourLines, oracleLines).enumerated() {
      #expect(mine.count == expected.count, "row \(i + 2)")
      for (m, e) in zip(mine.dropFirst(2), expected.dropFirst(2)) {
        #expect(Double(m) == Double(e), "row \(i + 2): ours '\(m)', Feast's rule '\(e)'")
        if !m.isEmpty { nonEmpty += 1 }
      }
    }
    #expect(nonEmpty > 300)  // the data exercises values, not only empty cells
  }
}

/// Data in Feast's feature-view form (one row = one observation of every feature of the view, an
/// empty cell = null), imported with `emptyCells: .null`, then exported point in time: each cell
/// must be what Feast's `get_historical_features` returns, computed here by an independent
/// Python implementation: the view row of the entity with the greatest event timestamp ≤ T and
/// ≥ T − ttl (ties: the later row of the file), that row's cell (empty: null), the row kept.
@Suite struct FeastFeatureViewTests {
  static let oracle = #"""
    import csv, sys
    view, rows, out, ttl_us = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    features = ['a', 'b', 'c']
    from datetime import datetime, timezone
    def parse(ts):
        return int(round(datetime.strptime(ts, '%Y-%m-%dT%H:%M:%S.%fZ').replace(tzinfo=timezone.utc).timestamp() * 1e6))
    data = {}
    for n, r in enumerate(csv.DictReader(open(view, newline=''))):
        data.setdefault(r['driver_id'], []).append((parse(r['ts']), n, r))
    with open(out, 'w', newline='') as f:
        w = csv.writer(f, lineterminator='\n')
        for r in csv.DictReader(open(rows, newline='')):
            t = parse(r['event_timestamp'])
            best = None
            for (e, n, row) in data.get(r['entity_id'], []):
                if e > t or e < t - ttl_us:
                    continue
                if best is None or (e, n) > (best[0], best[1]):
                    best = (e, n, row)
            cells = ['' if best is None else best[2][feat] for feat in features]
            w.writerow([r['entity_id'], r['event_timestamp']] + cells)
    """#

  @Test func importWithNullEmptyCellsGivesFeastsPointInTimeAnswers() throws {
    let seed =
      ProcessInfo.processInfo.environment["FDB_TEST_SEED"].flatMap { UInt64($0) }
      ?? .random(in: 0...UInt64.max)
    print("FeastFeatureViewTests seed \(seed) (replay with FDB_TEST_SEED=\(seed))")
    var rng = SplitMix64(seed: seed)
    let (db, dir) = try makeStore()
    let ttl = TimeSpan.hours(4)
    for name in ["a", "b", "c"] {
      try db.define(FeatureDefinition(name, type: .int, maxVersions: 0, ttl: ttl))
    }
    let base = t(0)
    var view = "driver_id,ts,a,b,c\n"
    for _ in 0..<600 {
      let entity = "d\(Int.random(in: 0..<6, using: &rng))"
      let time = base + .minutes(Int64.random(in: 0..<64, using: &rng) * 15)
      let cells = (0..<3).map { _ in
        Int.random(in: 0..<3, using: &rng) == 0 ? "" : String(Int.random(in: -99...99, using: &rng))
      }
      view += "\(entity),\(time.iso8601WithFraction),\(cells.joined(separator: ","))\n"
    }
    var rows = "entity_id,event_timestamp\n"
    for _ in 0..<400 {
      let time =
        base + .minutes(Int64.random(in: -2..<70, using: &rng) * 15)
        + TimeSpan(microseconds: Int64.random(in: -1...1, using: &rng))
      rows += "d\(Int.random(in: 0..<7, using: &rng)),\(time.iso8601WithFraction)\n"
    }
    let viewPath = writeFile(dir, "view.csv", view)
    let rowsPath = writeFile(dir, "rows.csv", rows)
    let summary = try db.importCSV(
      viewPath,
      options: ImportOptions(entityColumn: "driver_id", timestampColumn: "ts", emptyCells: .null))
    #expect(summary.rows == 600 && summary.cells == 1800)
    let ours = dir.child("ours.csv")
    let theirs = dir.child("oracle.csv")
    try db.exportPointInTime(
      entityRows: rowsPath, to: ours, options: ExportOptions(features: ["a", "b", "c"]))
    let (status, _, error) = try run(
      "/usr/bin/env",
      ["python3", "-c", Self.oracle, viewPath, rowsPath, theirs, String(ttl.microseconds)])
    #expect(status == 0, "\(error)")
    let ourLines = readFile(ours).split(separator: "\n").dropFirst().map(String.init)
    let oracleLines = readFile(theirs).split(separator: "\n").map(String.init)
    #expect(ourLines.count == 400 && oracleLines.count == 400)
    var nulls = 0
    var values = 0
    for (i, (mine, expected)) in zip(ourLines, oracleLines).enumerated() {
      #expect(
        mine == expected, "row \(i + 2) (seed \(seed)): ours '\(mine)', Feast's '\(expected)'")
      for cell in expected.split(separator: ",", omittingEmptySubsequences: false).dropFirst(2) {
        if cell.isEmpty { nulls += 1 } else { values += 1 }
      }
    }
    #expect(nulls > 50 && values > 300)  // both kinds of answer are exercised
  }

  @Test func skippingEmptyCellsKeepsTheOlderValue() throws {
    let (db, dir) = try makeStore()
    let view = writeFile(
      dir, "view.csv", "id,ts,a,b\nd1,2026-01-01T00:00:00Z,1,10\nd1,2026-01-01T01:00:00Z,2,\n")
    let rows = writeFile(dir, "rows.csv", "entity_id,event_timestamp\nd1,2026-01-01T02:00:00Z\n")
    let skipping = try makeStore()
    for store in [db, skipping.0] {
      try store.define(FeatureDefinition("a", type: .int))
      try store.define(FeatureDefinition("b", type: .int))
    }
    try db.importCSV(
      view, options: ImportOptions(entityColumn: "id", timestampColumn: "ts", emptyCells: .null))
    try skipping.0.importCSV(
      view, options: ImportOptions(entityColumn: "id", timestampColumn: "ts"))
    let nullOut = dir.child("null.csv")
    let skipOut = dir.child("skip.csv")
    try db.exportPointInTime(
      entityRows: rows, to: nullOut, options: ExportOptions(features: ["a", "b"]))
    try skipping.0.exportPointInTime(
      entityRows: rows, to: skipOut, options: ExportOptions(features: ["a", "b"]))
    #expect(readFile(nullOut) == "entity_id,event_timestamp,a,b\nd1,2026-01-01T02:00:00Z,2,\n")
    #expect(readFile(skipOut) == "entity_id,event_timestamp,a,b\nd1,2026-01-01T02:00:00Z,2,10\n")
    let tombstone = try #require(try db.history("b", "d1").first)
    #expect(tombstone.value == nil && tombstone.eventTime == t(1))
    #expect(tombstone.lineage.source == "view.csv:3")
  }
}

extension Timestamp {
  /// ISO-8601 always with six fraction digits (what the oracle parses).
  var iso8601WithFraction: String {
    let text = iso8601
    guard let dot = text.firstIndex(of: ".") else { return String(text.dropLast()) + ".000000Z" }
    let fraction = text[text.index(after: dot)..<text.index(before: text.endIndex)]
    return String(text[..<dot]) + "." + fraction + String(repeating: "0", count: 6 - fraction.count)
      + "Z"
  }
}
