import ArgumentParser
import FeatureDB
import Foundation

/// `fdb changes`: the change feed — read it, follow it, trim it, set its retention.
struct ChangesCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "changes",
    abstract: "Read or follow the change feed: every committed change, numbered in commit order.",
    subcommands: [List.self, Trim.self, Retain.self],
    defaultSubcommand: List.self)

  /// `fdb changes [list]`.
  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "list",
      abstract: "Print the changes after a sequence number (the default subcommand).",
      discussion: """
        Each change has a store-wide sequence number: a version written or deleted, retracted \
        by a rollback or restored by an undo, removed by pruning or expired by vacuum, a \
        feature defined. Pass the last sequence number you applied as --after to read on. A \
        cursor older than the feed keeps exits 5 with the oldest retained number: take a \
        snapshot (fdb export) and follow from 'fdb changes --last'.

        Examples:
          fdb changes --after 0 --limit 100
          fdb changes --after 4211 --follow --json
          fdb changes --features user.spend_7d --csv > spend-changes.csv
          fdb changes --last
        """)

    @OptionGroup var global: GlobalOptions

    @Option(
      help: ArgumentHelp(
        "Changes after this sequence number (0: from the start).", valueName: "seq"))
    var after: UInt64 = 0

    @Option(
      help: ArgumentHelp(
        "At most this many changes (default 1000; with --follow: no limit).", valueName: "n"))
    var limit: Int?

    @Flag(help: "Keep waiting for new changes and print them as they commit (Ctrl-C stops).")
    var follow = false

    @Option(help: ArgumentHelp("Only changes of these features.", valueName: "f1,f2"))
    var features: String?

    @Flag(help: "CSV with a header row instead of text lines.")
    var csv = false

    @Flag(help: "Print only the sequence number of the last committed change.")
    var last = false

    func validate() throws {
      if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
      if csv && global.json { throw ValidationError("--csv and --json cannot be combined") }
    }

    func run() throws {
      let store = try global.openStore(.read)
      let output = global.output
      if last {
        let sequence = try store.lastChange()
        output.document(.object([("last", .int(Int(clamping: sequence)))]))
        output.line(String(sequence))
        return
      }
      let only = features.map { Set($0.split(separator: ",").map(String.init)) }
      var remaining = limit ?? (follow ? .max : 1_000)
      var cursor = after
      if csv { print(CSVRecord.text(ChangeDisplay.csvHeader), terminator: "") }
      while remaining > 0 {
        let page = try store.changes(
          after: cursor, limit: min(remaining, 1_000), features: only)
        for change in page.changes {
          if csv {
            print(CSVRecord.text(ChangeDisplay.csvFields(change)), terminator: "")
          } else {
            output.jsonLine(ChangeDisplay.json(change))
            output.line(ChangeDisplay.text(change))
          }
        }
        remaining -= page.changes.count
        cursor = page.next
        try Terminal.finishOutput()
        if page.changes.isEmpty || page.next == page.last {
          guard follow else {
            if page.changes.isEmpty, cursor == after, !csv {
              output.note("no changes after \(after)")
            }
            return
          }
          if page.changes.isEmpty { usleep(20_000) }
        }
      }
      if !follow, !csv, cursor < (try store.lastChange()) {
        output.note("more changes: fdb changes --after \(cursor)")
      }
    }
  }

  /// `fdb changes trim --before SEQ`.
  struct Trim: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Remove the changes numbered below a sequence number from the feed.",
      discussion: """
        Consumers whose cursor is older then get exit 5 and must take a snapshot again.

        Example:
          fdb changes trim --before 100000
        """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("Remove every change numbered below this.", valueName: "seq"))
    var before: UInt64

    func run() throws {
      let store = try global.openStore(.write)
      let removed = try store.trimChanges(before: before)
      global.output.document(.object([("removed", .int(Int(clamping: removed)))]))
      global.output.note("removed \(Display.count(Int(clamping: removed), "change"))")
    }
  }

  /// `fdb changes retain DURATION|all`.
  struct Retain: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Show or set how long the change feed keeps changes (default 7d).",
      discussion: """
        Every write then trims a few chunks committed longer ago than that. 'all' keeps every \
        change until 'fdb changes trim'.

        Examples:
          fdb changes retain
          fdb changes retain 30d
          fdb changes retain all
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A duration (90s, 24h, 7d) or 'all'; none shows the setting.")
    var duration: String?

    func run() throws {
      let store = try global.openStore(duration == nil ? .read : .write)
      if let duration {
        let span: TimeSpan?
        if duration == "all" {
          span = nil
        } else if let parsed = TimeSpan(parsing: duration), parsed.microseconds > 0 {
          span = parsed
        } else {
          throw CLIError.usage("bad duration '\(duration)': use 90s, 24h, 7d or 'all'")
        }
        try store.setChangeRetention(span)
      }
      let retention = try store.changeRetention()
      global.output.document(
        .object([("retention", .optional(retention) { .string($0.description) })]))
      global.output.line(
        "change feed keeps \(retention.map { "changes for \($0)" } ?? "every change")")
    }
  }
}

/// Changes for the command line.
enum ChangeDisplay {
  static let csvHeader = [
    "sequence", "kind", "time", "feature", "entity", "version", "value", "event_time", "operation",
    "undoes", "producer", "run", "source",
  ]

  /// A change as a CSV row under ``csvHeader``.
  static func csvFields(_ c: Change) -> [String] {
    [
      String(c.sequence), c.kind.rawValue, c.time.iso8601, c.feature, c.entity ?? "",
      c.version.map(String.init) ?? "", c.value.map { Display.text($0) } ?? "",
      c.eventTime?.iso8601 ?? "", c.operation.map(String.init) ?? "",
      c.undoes.map(String.init) ?? "", c.lineage?.producer ?? "", c.lineage?.run ?? "",
      c.lineage?.source ?? "",
    ]
  }

  /// A change as one JSON line.
  static func json(_ c: Change) -> JSON {
    var fields: [(String, JSON)] = [
      ("sequence", .int(Int(clamping: c.sequence))), ("kind", .string(c.kind.rawValue)),
      ("time", .string(c.time.iso8601)), ("feature", .string(c.feature)),
      ("entity", Display.json(c.entity)),
      ("version", .optional(c.version) { .int(Int(clamping: $0)) }),
    ]
    switch c.kind {
    case .written, .deleted:
      fields.append(("value", .optional(c.value, Display.json)))
      if c.kind == .written { fields.append(("valueRemoved", .bool(c.valueRemoved))) }
      fields.append(("eventTime", Display.json(c.eventTime)))
      fields += Display.json(c.lineage ?? .none)
    case .retracted, .restored:
      fields.append(("operation", .optional(c.operation) { .int(Int(clamping: $0)) }))
      if c.kind == .restored {
        fields.append(("undoes", .optional(c.undoes) { .int(Int(clamping: $0)) }))
      }
    case .defined:
      fields += c.definition.map(Display.json) ?? []
    case .pruned, .expired:
      break
    }
    return .object(fields)
  }

  /// A change as one text line: sequence, time, kind, what, and the detail.
  static func text(_ c: Change) -> String {
    let what =
      c.entity.map { "\(c.feature):\($0)@\(c.version ?? 0)" } ?? c.feature
    let detail: String
    switch c.kind {
    case .written:
      detail =
        "= \(c.valueRemoved ? "(value removed since)" : Display.text(c.value, limit: 60)) at \(c.eventTime?.iso8601 ?? "-")"
        + (c.lineage?.run.map { " run \($0)" } ?? "")
    case .deleted: detail = "at \(c.eventTime?.iso8601 ?? "-")"
    case .retracted: detail = "by rollback \(c.operation ?? 0)"
    case .restored: detail = "by undo \(c.operation ?? 0) of rollback \(c.undoes ?? 0)"
    case .defined: detail = c.definition.map { "\($0.type)" } ?? ""
    case .pruned, .expired: detail = ""
    }
    return "\(c.sequence)  \(c.time.iso8601)  \(c.kind.rawValue)  \(what)  \(detail)"
  }
}
