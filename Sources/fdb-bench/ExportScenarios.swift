import FeatureDB
import Foundation
import Synchronization

extension Scenarios {
  /// `export_snapshot`: entities × 10 doubles to CSV, timed in a child process that also reports
  /// its peak memory.
  func exportSnapshot() {
    let dir = temporaryDirectory("export")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let features = names("x.f", sizes.features)
    let entities = sizes.entities * 10
    _ = try! fill(store, features: features, entities: names("user", entities))
    let child = runChild([
      "--child-export-snapshot", dir + "/store", dir + "/out.csv", features.joined(separator: ","),
    ])
    let cells = entities * features.count
    report(
      "export_snapshot", nil,
      extra: [
        "entities": entities, "cells": cells, "cells_per_s": Int(Double(cells) / child.seconds),
        "seconds": round3(child.seconds), "peak_rss_mb": round3(child.peakMB),
        "peak_anon_mb": round3(child.anonymousMB),
        "csv_mb": round3(Double(usedBytes(dir + "/out.csv", file: true)) / 1e6),
      ])
  }

  /// `export_pit`: entity rows × 10 features, each (feature, entity) with 10 versions.
  func exportPointInTime() {
    let dir = temporaryDirectory("export-pit")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    let features = names("p.f", sizes.features)
    let entities = names("user", sizes.entities)
    let base = Timestamp(iso8601: "2026-01-01T00:00:00Z")!
    _ = try! fill(store, features: features, entities: entities, versions: 10) { v in
      base + .hours(Int64(v))
    }
    let rows = sizes.entities * 10
    var rng = SplitMix(state: 77)
    var text = "entity_id,event_timestamp,label\n"
    text.reserveCapacity(rows * 48)
    for i in 0..<rows {
      let t = base + .minutes(Int64.random(in: -30..<660, using: &rng))
      text += "\(entities[Int.random(in: 0..<entities.count, using: &rng)]),\(t.iso8601),\(i % 2)\n"
    }
    _ = FileManager.default.createFile(atPath: dir + "/rows.csv", contents: Data(text.utf8))
    let child = runChild([
      "--child-export-pit", dir + "/store", dir + "/rows.csv", dir + "/out.csv",
      features.joined(separator: ","),
    ])
    let cells = rows * features.count
    report(
      "export_pit", nil,
      extra: [
        "rows": rows, "cells": cells, "cells_per_s": Int(Double(cells) / child.seconds),
        "seconds": round3(child.seconds),
        "peak_rss_mb": round3(child.peakMB), "peak_anon_mb": round3(child.anonymousMB),
        "versions_per_pair": 10,
      ])
  }

  /// A CSV of `rows` entities (`user0` …) × `features` random doubles at one event time, the
  /// same on every run.
  func writeImportCSV(_ path: String, rows: Int, features: [String]) {
    var text = "entity_id,ts," + features.joined(separator: ",") + "\n"
    var rng = SplitMix(state: 5)
    for i in 0..<rows {
      text += "user\(i),2026-01-01T00:00:00Z"
      for _ in features { text += ",\(Double(Int.random(in: 0..<100_000, using: &rng)) / 100)" }
      text += "\n"
    }
    _ = FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
  }

  /// `import`: rows × 10 double columns with lineage into an empty store.
  func importCSV() {
    let dir = temporaryDirectory("import")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let features = names("i.f", sizes.features)
    let rows = sizes.entities * 2
    writeImportCSV(dir + "/in.csv", rows: rows, features: features)
    let store = try! FeatureStore(path: dir + "/store", options: StoreOptions(durability: .noSync))
    for f in features { try! store.define(FeatureDefinition(f, type: .double)) }
    var summary: ImportSummary?
    let timing = Samples.measure(1) { _ in
      summary = try! store.importCSV(
        dir + "/in.csv",
        options: ImportOptions(entityColumn: "entity_id", timestampColumn: "ts", run: "bench"))
    }
    let seconds = Double(timing.wall) / 1e9
    report(
      "import", nil,
      extra: [
        "rows": summary!.rows, "cells": summary!.cells,
        "cells_per_s": Int(Double(summary!.cells) / seconds),
        "seconds": round3(seconds), "lineage": "producer, run, source FILE:LINE",
      ])
  }

  /// Runs this executable again with `arguments`; returns its time and peak memory.
  func runChild(_ arguments: [String]) -> (seconds: Double, peakMB: Double, anonymousMB: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    process.arguments = arguments
    let out = Pipe()
    process.standardOutput = out
    try! process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let fields = (try! JSONSerialization.jsonObject(with: data)) as! [String: Double]
    return (fields["seconds"]!, fields["peak_rss_mb"]!, fields["peak_anon_mb"]!)
  }
}

/// The child side of the export scenarios: runs one export, prints its time and peak memory —
/// all resident memory (which includes the store's pages mapped from the page cache) and the
/// process's own anonymous memory (heap and stacks), sampled as the export proceeds.
func childExport(_ arguments: [String]) {
  let start = nanos()
  let store = try! FeatureStore(path: arguments[1], options: StoreOptions(readOnly: true))
  let peakAnonymous = Atomic<Int>(0)
  let sample: @Sendable (Int, Int) -> Void = { _, _ in
    let kb = anonymousKilobytes()
    if kb > peakAnonymous.load(ordering: .relaxed) { peakAnonymous.store(kb, ordering: .relaxed) }
  }
  if arguments[0] == "--child-export-snapshot" {
    let options = ExportOptions(
      features: arguments[3].split(separator: ",").map(String.init), progress: sample)
    try! store.exportSnapshot(to: arguments[2], options: options)
  } else {
    let options = ExportOptions(
      features: arguments[4].split(separator: ",").map(String.init), progress: sample)
    try! store.exportPointInTime(entityRows: arguments[2], to: arguments[3], options: options)
  }
  sample(0, 0)
  printChildFigures(since: start, peakAnonymousKilobytes: peakAnonymous.load(ordering: .relaxed))
}

/// What a measured child process prints for its parent: seconds since `start`, peak resident
/// memory (`getrusage`) and the peak anonymous memory it sampled, as one JSON line.
func printChildFigures(since start: UInt64, peakAnonymousKilobytes: Int) {
  let seconds = Double(nanos() - start) / 1e9
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  print(
    "{\"seconds\": \(seconds), \"peak_rss_mb\": \(Double(usage.ru_maxrss) / 1024), "
      + "\"peak_anon_mb\": \(Double(peakAnonymousKilobytes) / 1024)}")
}

/// `RssAnon` of /proc/self/status, in KiB.
func anonymousKilobytes() -> Int {
  guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") })
  else { return 0 }
  return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
}
