import ArgumentParser
import FeatureDB
import Foundation

/// `fdb rollback`: retract bad versions (a value, a feature, a run), optionally with what was
/// derived from them.
struct RollbackCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rollback",
    abstract: "Retract versions: a value, a feature since a time, or a whole run.",
    discussion: """
      A rollback never rewrites history: it retracts versions, which stay in history (fdb \
      history --include-retracted) and are invisible to reads from then on. Reads and exports \
      at an earlier write time (--as-of-write) still see them. Each rollback is an operation \
      (fdb ops) that 'fdb undo OP' can undo once.

      Forms:
        fdb rollback FEATURE ENTITY --to-version V   versions newer than V
        fdb rollback FEATURE ENTITY --to-time T      versions written after T
        fdb rollback FEATURE --since T               the feature, every entity
        fdb rollback --run RUN                       every version the run wrote

      Examples:
        fdb rollback user.spend_7d u1 --to-version 3 --reason "bad backfill"
        fdb rollback --run spend-42 --cascade --dry-run
        fdb rollback user.spend_7d --since 2026-01-05T00:00:00Z --actor ana
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name (not with --run).")
  var feature: String?

  @Argument(help: "Entity id (with --to-version or --to-time).")
  var entity: String?

  @Option(help: ArgumentHelp("Keep versions up to V.", valueName: "v"))
  var toVersion: UInt64?

  @Option(
    parsing: .unconditional, help: ArgumentHelp("Keep versions written up to T.", valueName: "time")
  )
  var toTime: String?

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp("Retract the feature's versions written after T.", valueName: "time"))
  var since: String?

  @Option(
    name: .customLong("run"),
    help: ArgumentHelp("Retract every version this run wrote.", valueName: "id"))
  var runID: String?

  @Flag(help: "Also retract every version derived from the retracted ones.")
  var cascade = false

  @Flag(help: "Show what would be retracted; change nothing.")
  var dryRun = false

  @Option(help: ArgumentHelp("Why (kept in the operations log).", valueName: "text"))
  var reason = ""

  @Option(help: ArgumentHelp("Who (default: $USER).", valueName: "name"))
  var actor: String?

  func validate() throws {
    let forms = [toVersion != nil, toTime != nil, since != nil, runID != nil].count { $0 }
    guard forms == 1 else {
      throw ValidationError("give one of --to-version, --to-time, --since or --run")
    }
    if runID != nil, feature != nil {
      throw ValidationError("--run takes no FEATURE or ENTITY")
    }
    if runID == nil, feature == nil { throw ValidationError("missing FEATURE") }
    if toVersion != nil || toTime != nil, entity == nil { throw ValidationError("missing ENTITY") }
    if since != nil, entity != nil {
      throw ValidationError("--since rolls back every entity: give no ENTITY")
    }
  }

  func target() throws -> RollbackTarget {
    let now = Timestamp.now
    if let runID { return .run(runID) }
    let feature = feature!
    if let since {
      return .feature(feature, since: try TimeArgument.time(since, now: now, option: "--since"))
    }
    let entity = try ValueArgument.entity(entity!)
    if let toVersion { return .toVersion(feature: feature, entity: entity, version: toVersion) }
    return .toTime(
      feature: feature, entity: entity,
      writeTime: try TimeArgument.time(toTime!, now: now, option: "--to-time"))
  }

  func run() throws {
    let target = try target()
    let store = try global.openStore(dryRun ? .read : .write)
    let options = RollbackOptions(
      cascade: cascade, dryRun: dryRun, actor: actor ?? OperationDisplay.defaultActor,
      reason: reason)
    let output = global.output
    // Readers see the rollback from its first transaction on; marking it on the chains may take
    // seconds for a large run: show how it goes.
    let progress = Progress(
      "rollback in force; marking", total: nil, unit: .items("versions"), output: output)
    let result = try store.rollback(target, options, progress: progress.update)
    progress.finish()
    output.document(OperationDisplay.json(result, dryRun: dryRun))
    let what = Display.count(result.retracted, "version")
    if let op = result.operation {
      output.line(
        "operation \(op.id): retracted \(what)\(cascade ? " (\(result.cascaded) derived)" : "") — \(target); undo with 'fdb undo \(op.id)'"
      )
    } else {
      output.line(
        "dry run: would retract \(what)\(cascade ? " (\(result.cascaded) derived)" : "") — \(target); nothing changed"
      )
    }
    for v in result.versions.prefix(global.quiet ? 0 : 20) { output.line("  \(v)") }
    if result.versions.count > 20, !global.quiet {
      output.line("  … \(result.retracted - 20) more")
    }
  }
}

/// `fdb undo OP`.
struct Undo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Undo a rollback: restore the versions it retracted.",
    discussion: """
      An undo is an operation too. A rollback is undone at most once; an undo cannot be undone \
      (roll back again instead).

      Examples:
        fdb undo 7 --reason "the input was fine after all"
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Operation id (see 'fdb ops').")
  var operation: UInt64

  @Option(help: ArgumentHelp("Why (kept in the operations log).", valueName: "text"))
  var reason = ""

  @Option(help: ArgumentHelp("Who (default: $USER).", valueName: "name"))
  var actor: String?

  func run() throws {
    let store = try global.openStore(.write)
    let progress = Progress(
      "undo in force; marking", total: nil, unit: .items("versions"), output: global.output)
    let op = try store.undo(
      operation, actor: actor ?? OperationDisplay.defaultActor, reason: reason,
      progress: progress.update)
    progress.finish()
    global.output.document(OperationDisplay.json(op))
    let undone = try store.operation(operation)
    // Versions another rollback not undone also covers stay retracted: say so, or an undo that
    // restores fewer than its rollback retracted looks like a failure.
    let kept =
      op.versions < undone.versions
      ? "; fewer than the \(undone.versions) it retracted: the others stay retracted while another rollback covers them"
      : ""
    global.output.line(
      "operation \(op.id): restored \(Display.count(op.versions, "version")) — undo of operation \(operation)\(kept)"
    )
  }
}

/// `fdb ops`: the operations log.
struct Ops: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the operations log (rollbacks and undos), newest first.",
    discussion: """
      Examples:
        fdb ops
        fdb ops --limit 5 --json
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("At most this many operations.", valueName: "n"))
  var limit = 20

  func validate() throws {
    if limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    let store = try global.openStore(.read)
    let ops = try store.operations(limit: limit)
    let output = global.output
    if ops.isEmpty { output.note("no operations yet (fdb rollback records one)") }
    var table = Table([
      .init(title: "OP", rightAligned: true), .init(title: "KIND"), .init(title: "TIME"),
      .init(title: "ACTOR"), .init(title: "VERSIONS", rightAligned: true), .init(title: "WHAT"),
      .init(title: "REASON"), .init(title: "UNDONE-BY"),
    ])
    for op in ops {
      output.jsonLine(OperationDisplay.json(op))
      table.append([
        .init(String(op.id)), .init(op.kind.rawValue), .init(op.time.iso8601),
        .init(Display.dash(op.actor.isEmpty ? nil : op.actor)), .init(String(op.versions)),
        .init(op.form + (op.cascade ? " (cascade)" : "")),
        .init(Display.dash(op.reason.isEmpty ? nil : op.reason)),
        .init(Display.dash(op.undoneBy.map(String.init))),
      ])
    }
    if !ops.isEmpty { output.table(table) }
  }
}

/// Operations for the command line (and, as JSON, the HTTP server).
public enum OperationDisplay {
  static var defaultActor: String {
    ProcessInfo.processInfo.environment["USER"] ?? "unknown"
  }

  /// A rollback's result as `fdb rollback --json` prints it.
  public static func json(_ result: RollbackResult, dryRun: Bool) -> JSON {
    .object([
      ("operation", .optional(result.operation, json)),
      ("dryRun", .bool(dryRun)), ("retracted", .int(result.retracted)),
      ("cascaded", .int(result.cascaded)),
      ("versions", .array(result.versions.map { .string($0.description) })),
    ])
  }

  /// An operation as `fdb ops --json` prints it.
  public static func json(_ op: OperationRecord) -> JSON {
    .object([
      ("id", .int(op.id)), ("kind", .string(op.kind.rawValue)), ("form", .string(op.form)),
      ("actor", .string(op.actor)), ("reason", .string(op.reason)),
      ("time", Display.json(op.time)), ("cascade", .bool(op.cascade)),
      ("versions", .int(op.versions)), ("undoes", .optional(op.undoes) { .int($0) }),
      ("undoneBy", .optional(op.undoneBy) { .int($0) }),
    ])
  }
}
