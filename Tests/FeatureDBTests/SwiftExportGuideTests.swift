import Foundation
import Testing

@testable import FeatureDB

/// docs/export.md's "From Swift" example, verbatim but for the file names, which are put in a
/// temporary directory by `in(_:)` (changing the process's directory would disturb other tests).
@Suite struct SwiftExportGuideTests {
  @Test func theGuideExampleRuns() throws {
    let dir = TemporaryDirectory()
    func `in`(_ name: String) -> String { dir.child(name) }
    // The value's event time is well in the past, so the snapshot as of now holds it whatever
    // the date the test runs on (the guide's code below is unchanged).
    _ = writeFile(dir, "spend.csv", "user_id,ts,user.spend_7d\nu1,2020-01-05T10:00:00Z,12.5\n")
    _ = writeFile(
      dir, "labels.csv", "entity_id,event_timestamp,label\nu1,2026-01-05T11:00:00Z,1\n")

    let db = try FeatureStore(path: `in`("features.fdb"))
    try db.define(FeatureDefinition("user.spend_7d", type: .double))

    // Import: ImportOptions mirrors fdb import's flags.
    let loaded = try db.importCSV(
      `in`("spend.csv"),
      options: ImportOptions(entityColumn: "user_id", timestampColumn: "ts", run: "backfill-1"))
    print(loaded.rows, loaded.cells)  // rows read, versions written

    // Snapshot export (one row per entity) as of event time T and write time W.
    let w = Timestamp.now
    let snapshot = try db.exportSnapshot(
      to: `in`("snapshot.csv"),
      options: ExportOptions(features: ["user.spend_7d"], eventTime: w, writeTime: w))

    // Point-in-time export for the rows of labels.csv; the same W later gives the same bytes.
    let train = try db.exportPointInTime(
      entityRows: `in`("labels.csv"), to: `in`("train.csv"),
      options: ExportOptions(features: ["user.spend_7d"], writeTime: w))
    print(snapshot.rows, train.rows, train.missingHistoryCells)

    // Point in time into memory, no CSV: one PointInTimeRow per EntityRow, in input order.
    let rows = try db.pointInTime(
      features: ["user.spend_7d"],
      rows: [EntityRow("u1", Timestamp(iso8601: "2026-01-05T12:00:00Z")!)],
      writeTime: w)
    print(rows[0].values[0]?.double ?? .nan)

    #expect(loaded.rows == 1 && loaded.cells == 1)
    #expect(readFile(dir.child("snapshot.csv")) == "entity_id,user.spend_7d\nu1,12.5\n")
    #expect(
      readFile(dir.child("train.csv"))
        == "entity_id,event_timestamp,label,user.spend_7d\nu1,2026-01-05T11:00:00Z,1,12.5\n")
    #expect(rows[0].values == [.double(12.5)])
  }
}
