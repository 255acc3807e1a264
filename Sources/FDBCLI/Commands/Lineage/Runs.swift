import ArgumentParser
import FeatureDB
import FeaturePipeline

/// `fdb runs`: the runs that wrote versions, newest first.
struct Runs: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List runs (jobs that wrote versions), newest first.",
    discussion: """
      A run is recorded when a program begins it, or implicitly when a write first names it \
      (--run). 'fdb run show RUN' shows what one wrote.

      --format openlineage prints each run as OpenLineage RunEvents (spec 2-0-2), one JSON \
      object per line, for Marquez, DataHub or OpenMetadata.

      Examples:
        fdb runs
        fdb runs --limit 5 --json
        fdb runs --format openlineage > runs.jsonl
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("At most this many runs.", valueName: "n"))
  var limit = 20

  @Option(help: ArgumentHelp("table or openlineage.", valueName: "format"))
  var format: RunsFormat = .table

  enum RunsFormat: String, ExpressibleByArgument, CaseIterable {
    case table, openlineage
  }

  func validate() throws {
    if limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    let store = try global.openStore(.read)
    let runs = try store.runs(limit: limit)
    if format == .openlineage {
      for r in runs.reversed() {
        for event in try store.openLineageEvents(r.id) { print(event) }
      }
      return
    }
    let output = global.output
    if runs.isEmpty { output.note("no runs yet (writes name one with --run ID)") }
    var table = Table([
      .init(title: "RUN"), .init(title: "NAME"), .init(title: "STATUS"), .init(title: "STARTED"),
      .init(title: "FINISHED"),
    ])
    for r in runs {
      output.jsonLine(RunDisplay.json(r))
      table.append([
        .init(r.id), .init(r.name), RunDisplay.status(r.status), .init(r.startedAt.iso8601),
        .init(Display.dash(r.finishedAt?.iso8601)),
      ])
    }
    if !runs.isEmpty { output.table(table) }
  }
}

/// `fdb run show RUN`.
struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run", abstract: "Show one run.", subcommands: [Show.self])

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract:
        "Show a run: its record, what it wrote per feature, and the rollbacks that covered its versions.",
      discussion: """
        Examples:
          fdb run show import-2026-01-05
          fdb run show spend-42 --json
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Run id.")
    var id: String

    func run() throws {
      let store = try global.openStore(.read)
      guard let run = try store.run(id) else { throw FeatureDBError.unknownRun(id) }
      let summary = try store.runSummary(id)
      let rollbacks = try store.rollbacks(ofRun: id)
      let quality = try RunQuality.load(run, from: store)
      let output = global.output
      output.document(
        RunDisplay.showJSON(run, summary: summary, rollbacks: rollbacks, quality: quality))
      var fields: [(String, String)] = [
        ("run", run.id), ("name", run.name), ("status", run.status.rawValue),
        ("started", run.startedAt.iso8601), ("finished", Display.dash(run.finishedAt?.iso8601)),
      ]
      if let v = run.codeVersion { fields.append(("code version", v)) }
      if let h = run.host { fields.append(("host", h)) }
      if !run.parameters.isEmpty {
        fields.append(
          (
            "parameters",
            run.parameters.sorted { $0.key < $1.key }.map { "\($0)=\($1)" }.joined(separator: " ")
          ))
      }
      if run.implicit { fields.append(("recorded", "implicitly, by its first write")) }
      output.fields(fields)
      output.line()
      var table = Table([
        .init(title: "FEATURE"), .init(title: "VERSIONS", rightAligned: true),
        .init(title: "ENTITIES", rightAligned: true), .init(title: "FIRST-WRITE"),
        .init(title: "LAST-WRITE"),
      ])
      for s in summary {
        table.append([
          .init(s.feature), .init(String(s.versions)), .init(String(s.entities)),
          .init(s.firstWrite.iso8601), .init(s.lastWrite.iso8601),
        ])
      }
      output.table(table)
      for op in rollbacks {
        output.line(
          "rolled back by operation \(op.id) at \(op.time.iso8601) — \(op.form)\(op.cascade ? " (cascade)" : "")\(op.undoneBy.map { " (undone by \($0))" } ?? "")"
        )
      }
      if let quality {
        output.line()
        output.line(
          "Quality of the values evaluated (drift: population stability index against \(quality.baselineRun ?? "no earlier run")):"
        )
        output.table(QualityDisplay.table(quality))
      }
    }
  }
}

/// Runs for the command line (and, as JSON, the HTTP server).
public enum RunDisplay {
  /// A run record as `fdb runs --json` prints it.
  public static func json(_ r: Run) -> JSON {
    .object([
      ("id", .string(r.id)), ("name", .string(r.name)), ("status", .string(r.status.rawValue)),
      ("startedAt", Display.json(r.startedAt)), ("finishedAt", Display.json(r.finishedAt)),
      ("parameters", .object(r.parameters.sorted { $0.key < $1.key }.map { ($0, .string($1)) })),
      ("codeVersion", Display.json(r.codeVersion)), ("host", Display.json(r.host)),
      ("metadata", .object(r.metadata.sorted { $0.key < $1.key }.map { ($0, .string($1)) })),
      ("implicit", .bool(r.implicit)),
    ])
  }

  /// `fdb run show RUN --json`: the run, what it wrote per feature, the rollbacks that covered
  /// its versions, and its quality and drift.
  public static func showJSON(
    _ run: Run, summary: [RunFeatureSummary], rollbacks: [OperationRecord], quality: RunQuality?
  ) -> JSON {
    .object(
      [("run", json(run))] + [
        (
          "features",
          .array(
            summary.map { s in
              .object([
                ("feature", .string(s.feature)), ("versions", .int(s.versions)),
                ("entities", .int(s.entities)), ("firstWrite", Display.json(s.firstWrite)),
                ("lastWrite", Display.json(s.lastWrite)),
              ])
            })
        ),
        ("rollbacks", .array(rollbacks.map(OperationDisplay.json))),
        ("quality", .optional(quality, QualityDisplay.json)),
      ])
  }

  static func status(_ s: Run.Status) -> Table.Cell {
    switch s {
    case .running: Table.Cell(s.rawValue, .yellow)
    case .succeeded: Table.Cell(s.rawValue, .green)
    case .failed, .rolledBack: Table.Cell(s.rawValue, .red)
    }
  }
}
