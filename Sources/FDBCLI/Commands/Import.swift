import ArgumentParser
import FeatureDB
import Foundation

/// `fdb import`: loads feature values from CSV with lineage.
struct Import: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Load feature values from a CSV file, with lineage, all or nothing.",
    discussion: """
      Every other column (or each of --features) is a feature of the same name; an embedding \
      comes from a JSON-array cell or from NAME_0 … NAME_{d-1} columns. Empty cells write \
      nothing, or with --empty-cells null a tombstone at the row's event time (feature-view \
      data, where an empty cell means no value from then on, as Feast reads it). Each version's lineage: source FILE:LINE, --run (default import-<time>), \
      --producer. The whole file loads in one transaction, or nothing does; with \
      --skip-bad-rows REJECTS.csv good rows load and each bad row is written there with its \
      line number and reason. Errors name line and column (exit 2). With --shard k/N only the \
      rows whose entity is in shard k of N load (the others are counted), so N machines each \
      keep their slice of one file.

      Examples:
        fdb import spend.csv --entity-column user_id --timestamp-column ts
        fdb import profiles.csv --entity-column id --all-columns --define-missing \\
            --run backfill-7
        fdb import events.csv --entity-column id --features user.clicks \\
            --skip-bad-rows rejects.csv
        fdb import view.csv --entity-column driver_id --timestamp-column ts \\
            --empty-cells null
        fdb import spend.csv --entity-column user_id --timestamp-column ts --shard 1/3
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The CSV file (a header row first).")
  var file: String

  @Option(help: ArgumentHelp("Column of entity ids.", valueName: "column"))
  var entityColumn: String

  @Option(
    help: ArgumentHelp("Column of event times (default: the import time).", valueName: "column"))
  var timestampColumn: String?

  @Option(
    help: ArgumentHelp(
      "Features to load, comma-separated (default: every other column).", valueName: "f1,f2"))
  var features: String?

  @Flag(help: "Load every column but the entity and timestamp columns (the default).")
  var allColumns = false

  @Flag(help: "Define features that do not exist, typed by their values.")
  var defineMissing = false

  @Option(name: .customLong("run"), help: ArgumentHelp("Lineage run id.", valueName: "run"))
  var runID: String?

  @Option(help: ArgumentHelp("Lineage producer.", valueName: "name@version"))
  var producer = "fdb.import"

  @Option(help: ArgumentHelp("Rows held in memory at once.", valueName: "n"))
  var batch = 10_000

  @Option(
    help: ArgumentHelp(
      "Skip bad rows, writing them here with line and reason.", valueName: "rejects.csv"))
  var skipBadRows: String?

  @Option(
    help: ArgumentHelp(
      "What an empty cell writes: skip (nothing, the default) or null (a tombstone).",
      valueName: "skip|null"))
  var emptyCells = "skip"

  @Option(
    help: ArgumentHelp(
      "Load only the rows of shard k of N (see 'fdb shard-of'); other rows are counted.",
      valueName: "k/N"))
  var shard: String?

  func validate() throws {
    _ = try ShardArgument.parse(shard)
    guard EmptyCells(rawValue: emptyCells) != nil else {
      throw ValidationError("--empty-cells must be skip or null, got '\(emptyCells)'")
    }
    if features != nil, allColumns {
      throw ValidationError("give --features or --all-columns, not both")
    }
    if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
  }

  func run() throws {
    let store = try global.openStore(.write, wholeStore: true)
    let output = global.output
    let progress = Progress("import", total: nil, unit: .bytes, output: output)
    let summary = try store.importCSV(
      file,
      options: ImportOptions(
        entityColumn: entityColumn, timestampColumn: timestampColumn,
        features: features.map { $0.split(separator: ",").map(String.init) },
        defineMissing: defineMissing,
        run: runID, producer: producer, batchRows: batch, rejects: skipBadRows,
        progress: { done, _ in progress.update(done) },
        emptyCells: EmptyCells(rawValue: emptyCells)!, shard: try ShardArgument.parse(shard)))
    progress.finish()
    output.document(
      .object([
        ("rows", .int(summary.rows)), ("versions", .int(summary.cells)),
        ("rejected", .int(summary.rejected)), ("otherShardRows", .int(summary.otherShardRows)),
        ("run", .string(summary.run)),
        ("defined", .array(summary.defined.map { .string($0.name) })),
      ]))
    for d in summary.defined { output.note("defined \(d.name) (\(d.type))") }
    output.note(
      "imported \(Display.count(summary.rows, "row")) (\(Display.count(summary.cells, "version"))) from \(file) as run \(summary.run)\(shard.map { "; \(Display.count(summary.otherShardRows, "row")) of other shards than \($0) skipped" } ?? "")\(summary.rejected > 0 ? "; \(Display.count(summary.rejected, "bad row")) written to \(skipBadRows!)" : "")"
    )
  }
}
