import ArgumentParser
import FeatureDB
import Foundation

/// `fdb export`: a snapshot, or a point-in-time training set, as CSV.
struct Export: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Export feature values as CSV: a snapshot, or a point-in-time join for entity rows.",
    discussion: """
      Snapshot (no --entities): one row per entity, columns entity_id then the features, each \
      cell the value as of event time --as-of (default now) and write time --as-of-write \
      (default now); entities with none of the features are left out.

      Point-in-time (--entities ROWS.csv): for every input row, each feature's value as of that \
      row's timestamp (the point-in-time rule, TTL included), the input rows in input order with \
      all their columns passed through, then one column per feature. Rows without a value keep \
      their place with empty cells.

      --as-of-write W makes an export reproducible: the same command with the same W gives a \
      byte-identical file later, whatever was written since. Cells whose history pruning or \
      vacuum removed fail the export (exit 3, naming how many) unless --allow-missing-history \
      writes them empty. The file is written whole or not at all. CSV: RFC 4180, LF line ends, \
      UTF-8, numbers in the shortest form that round-trips. Details: docs/export.md.

      Partitioned (--partitioned DIR): every retained version of the features as of write \
      time --as-of-write, retracted ones and tombstones included, in Hive-style folders \
      feature=NAME/date=YYYY-MM-DD/part-K-N.csv with a Spark schema, a manifest and _SUCCESS \
      written last, for the Spark job in spark/ (docs/scale-out.md). DIR must be new or \
      empty; it appears whole or not at all. --shard k/N keeps the entities of shard k.

      Examples:
        fdb export --features user.spend_7d,user.segment --out snapshot.csv
        fdb export --all-features --entities-like user --as-of 2026-01-05T00:00:00Z
        fdb export --features user.spend_7d --entities labels.csv \\
            --as-of-write 2026-01-06T00:00:00Z --out train.csv --manifest train.json
        fdb export --all-features --partitioned exports/shard-1 --shard 1/3
      """)

  @OptionGroup var global: GlobalOptions

  @Option(
    help: ArgumentHelp("Features to export, comma-separated, in column order.", valueName: "f1,f2"))
  var features: String?

  @Option(
    help: ArgumentHelp(
      "Export the features of this feature group, in its order.", valueName: "name"))
  var group: String?

  @Flag(help: "Export every defined feature (by name).")
  var allFeatures = false

  @Option(
    help: ArgumentHelp("Snapshot: only entities whose id starts with this.", valueName: "prefix"))
  var entitiesLike: String?

  @Option(
    name: .customLong("as-of"), parsing: .unconditional,
    help: ArgumentHelp("Snapshot: event time to read at (default now).", valueName: "time"))
  var asOf: String?

  @Option(
    name: .customLong("as-of-write"), parsing: .unconditional,
    help: ArgumentHelp(
      "Read what the store held at this write time (default now).", valueName: "time"))
  var asOfWrite: String?

  @Option(help: ArgumentHelp("Point-in-time: the entity rows CSV.", valueName: "rows.csv"))
  var entities: String?

  @Option(help: ArgumentHelp("Point-in-time: column of entity ids.", valueName: "column"))
  var entityColumn = "entity_id"

  @Option(help: ArgumentHelp("Point-in-time: column of event times.", valueName: "column"))
  var timestampColumn = "event_timestamp"

  @Option(
    help: ArgumentHelp("Embeddings as one JSON cell or NAME_0… columns.", valueName: "json|columns")
  )
  var embeddingFormat = "json"

  @Flag(help: "Write cells whose history was pruned or vacuumed empty, and count them.")
  var allowMissingHistory = false

  @Option(
    help: ArgumentHelp("The CSV file to write (default: standard output).", valueName: "file"))
  var out: String?

  @Option(help: ArgumentHelp("Also write what was exported as JSON.", valueName: "file.json"))
  var manifest: String?

  @Option(
    help: ArgumentHelp(
      "Write every version as Hive-style partitions for Spark into this new directory.",
      valueName: "dir"))
  var partitioned: String?

  @Option(
    help: ArgumentHelp(
      "Partitioned: export only the entities of shard k of N (see 'fdb shard-of').",
      valueName: "k/N"))
  var shard: String?

  @Option(help: ArgumentHelp("Partitioned: rows per part file.", valueName: "n"))
  var rowsPerFile = 1_000_000

  @Option(
    help: ArgumentHelp(
      "Partitioned: only the pairs changed after this change-feed sequence number (the toChange of the last export's _manifest.json).",
      valueName: "seq"))
  var fromChange: UInt64?

  func validate() throws {
    if partitioned != nil {
      let others: [(Bool, String)] = [
        (entities != nil, "--entities"), (asOf != nil, "--as-of"),
        (entitiesLike != nil, "--entities-like"), (out != nil, "--out"),
        (manifest != nil, "--manifest"), (allowMissingHistory, "--allow-missing-history"),
        (embeddingFormat != "json", "--embedding-format"),
      ]
      if let (_, flag) = others.first(where: { $0.0 }) {
        throw ValidationError("\(flag) does not apply to --partitioned")
      }
      if rowsPerFile < 1 { throw ValidationError("--rows-per-file must be at least 1") }
      if fromChange != nil, asOfWrite != nil {
        throw ValidationError("--from-change exports as of now; it takes no --as-of-write")
      }
    } else if shard != nil || rowsPerFile != 1_000_000 || fromChange != nil {
      throw ValidationError(
        "--shard, --rows-per-file and --from-change are for --partitioned exports")
    }
    _ = try ShardArgument.parse(shard)
    if [features != nil, allFeatures, group != nil].count(where: { $0 }) != 1 {
      throw ValidationError("give --features F1,F2, --group NAME or --all-features (one of them)")
    }
    if EmbeddingCSVFormat(rawValue: embeddingFormat) == nil {
      throw ValidationError("--embedding-format must be json or columns, got '\(embeddingFormat)'")
    }
    if entities != nil, asOf != nil || entitiesLike != nil {
      throw ValidationError(
        "--as-of and --entities-like are for snapshots; with --entities each row has its time")
    }
  }

  func run() throws {
    // The export checks every page of the snapshot it reads itself (before any output).
    let store = try global.openStore(.read)
    let now = Timestamp.now
    let names =
      try group.map { g in try store.read { try $0.features(ofGroup: g) } }
      ?? (allFeatures
        ? try store.features().map(\.name) : features!.split(separator: ",").map(String.init))
    var options = ExportOptions(
      features: names,
      eventTime: try asOf.map { try TimeArgument.time($0, now: now, option: "--as-of") },
      writeTime: try TimeArgument.time(asOfWrite ?? "now", now: now, option: "--as-of-write"),
      embeddingFormat: EmbeddingCSVFormat(rawValue: embeddingFormat)!,
      allowMissingHistory: allowMissingHistory)
    if let partitioned {
      // As of now unless told: the export then reads as of its snapshot and records the last
      // change it includes, so the next export can continue from it.
      if asOfWrite == nil { options.writeTime = nil }
      let summary = try store.exportPartitioned(
        to: partitioned, options: options,
        partitioning: Partitioning(
          shard: try ShardArgument.parse(shard), rowsPerFile: rowsPerFile, fromChange: fromChange))
      let output = global.output
      output.document(
        .object([
          ("versions", .int(summary.versions)), ("removedRanges", .int(summary.removedRanges)),
          ("entities", .int(summary.entities)),
          ("otherShardEntities", .int(summary.otherShardEntities)), ("files", .int(summary.files)),
          ("writeTime", .string(summary.writeTime)), ("out", .string(partitioned)),
          ("fromChange", .optional(summary.fromChange) { .int(Int(clamping: $0)) }),
          ("toChange", .optional(summary.toChange) { .int(Int(clamping: $0)) }),
          ("pairs", .int(summary.pairs)),
        ]))
      output.note(
        "exported \(Display.count(summary.versions, "version")) of \(Display.count(summary.entities, "entity", plural: "entities")) × \(Display.count(names.count, "feature")) to \(partitioned) (\(Display.count(summary.files, "file"))) as of write time \(summary.writeTime)\(shard.map { "; \(Display.count(summary.otherShardEntities, "entity", plural: "entities")) of other shards than \($0) left out" } ?? "")"
      )
      return
    }
    // The summary goes to stderr when the CSV itself goes to stdout.
    let output =
      out == nil
      ? Output(json: false, quiet: global.quiet || global.json, color: false) : global.output
    let progress = Progress(
      "export", total: nil, unit: entities == nil ? .items("rows") : .bytes, output: output)
    options.progress = { done, _ in progress.update(done) }
    let summary: ExportSummary
    if let entities {
      summary = try store.exportPointInTime(
        entityRows: entities, entityColumn: entityColumn, timestampColumn: timestampColumn, to: out,
        options: options)
    } else {
      summary = try store.exportSnapshot(to: out, entityPrefix: entitiesLike, options: options)
    }
    progress.finish()
    if let manifest { try writeManifest(manifest, store, names, summary) }
    let json = JSON.object([
      ("rows", .int(summary.rows)), ("cells", .int(summary.cells)),
      ("missingHistoryCells", .int(summary.missingHistoryCells)),
      ("writeTime", .string(summary.writeTime.iso8601)),
      ("eventTime", Display.json(summary.eventTime)), ("out", Display.json(out)),
    ])
    if out != nil { output.document(json) }
    let note =
      "exported \(Display.count(summary.rows, "row")) × \(Display.count(names.count, "feature"))\(out.map { " to \($0)" } ?? "") as of write time \(summary.writeTime)\(summary.missingHistoryCells > 0 ? "; \(summary.missingHistoryCells) cells empty: history removed" : "")"
    if out != nil {
      output.note(note)
    } else if !global.quiet, !global.json {
      Terminal.writeError(note + "\n")
    }
  }

  /// What was exported, to rebuild the same file later.
  private func writeManifest(
    _ path: String, _ store: FeatureStore, _ names: [String], _ summary: ExportSummary
  ) throws {
    let definitions = try names.map { name -> JSON in
      guard let d = try store.feature(name) else { throw FeatureDBError.unknownFeature(name) }
      return .object(Display.json(d))
    }
    let document = JSON.object([
      ("kind", .string(entities == nil ? "snapshot" : "point-in-time")),
      ("store", .string(global.path)), ("storeId", .string(store.storeID)),
      ("features", .array(names.map { .string($0) })), ("definitions", .array(definitions)),
      ("writeTime", .string(summary.writeTime.iso8601)),
      ("eventTime", Display.json(summary.eventTime)),
      ("entityRows", Display.json(entities)), ("entitiesLike", Display.json(entitiesLike)),
      ("embeddingFormat", .string(embeddingFormat)), ("rows", .int(summary.rows)),
      ("cells", .int(summary.cells)),
      ("missingHistoryCells", .int(summary.missingHistoryCells)), ("out", Display.json(out)),
      ("exportedAt", .string(Timestamp.now.iso8601)),
    ])
    guard
      FileManager.default.createFile(atPath: path, contents: Data((document.pretty + "\n").utf8))
    else {
      throw CLIError.failure("cannot write the manifest \(path)")
    }
  }
}
