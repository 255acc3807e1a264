import ArgumentParser
import FeatureDB

/// `fdb vacuum`: removes expired versions physically.
struct Vacuum: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Remove versions whose TTL has passed.",
    discussion: """
      Works through the expiry index in transactions of at most 10,000 entries, so writers are \
      never blocked long; safe to interrupt and run again. As-of reads that would need a removed \
      version then say so (exit 3). --dry-run counts without changing anything (at most 10,000 \
      index entries per run).

      Examples:
        fdb vacuum
        fdb vacuum --dry-run
        fdb vacuum --limit 100000     # at most 100,000 index entries this run
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("At most this many expiry-index entries this run.", valueName: "n"))
  var limit: Int?

  @Flag(help: "Count what would be removed; change nothing.")
  var dryRun = false

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    let store = try global.openStore(.write, wholeStore: true)
    let output = global.output
    let now = Timestamp.now
    var result = Totals()
    if dryRun {
      result.add(try store.vacuum(limit: limit, dryRun: true, now: now))
    } else {
      result = try vacuum(store, now)
    }
    output.document(
      .object([
        ("dryRun", .bool(dryRun)), ("removed", .int(result.removed)),
        ("examined", .int(result.examined)), ("done", .bool(result.done)),
        (
          "horizons",
          .object(result.horizons.sorted { $0.key < $1.key }.map { ($0, .string($1.iso8601)) })
        ),
      ]))
    if result.removed == 0 && result.done {
      output.note("nothing to vacuum: no expired versions")
      return
    }
    output.note(
      "\(dryRun ? "would remove" : "removed") \(Display.count(result.removed, "expired version")) (\(Display.count(result.examined, "index entry", plural: "index entries")) examined)"
    )
    for (feature, horizon) in result.horizons.sorted(by: { $0.key < $1.key }) {
      output.note("  \(feature): vacuum horizon \(horizon)")
    }
    if !result.done {
      output.note(
        dryRun
          ? "more expired versions remain beyond the entries a dry run examines"
          : "more expired versions remain; run 'fdb vacuum' again")
    }
  }

  /// Vacuums in steps, showing progress against the expired count when stderr is a terminal.
  private func vacuum(_ store: FeatureStore, _ now: Timestamp) throws -> Totals {
    var progress = Progress("vacuum", total: nil, unit: .items("versions"), output: global.output)
    if progress.enabled {
      let expired = try store.stats(now: now).features.reduce(0) { $0 + $1.expired }
      progress = Progress(
        "vacuum", total: min(expired, limit ?? .max), unit: .items("versions"), enabled: true)
    }
    defer { progress.finish() }
    var total = Totals()
    var remaining = limit ?? .max
    while remaining > 0 {
      let step = try store.vacuum(limit: min(remaining, 10_000), now: now)
      total.add(step)
      remaining -= step.examined
      progress.update(total.removed)
      if step.done || step.examined == 0 { break }
    }
    return total
  }

  /// What the steps of one run removed.
  struct Totals {
    var removed = 0
    var examined = 0
    var done = false
    var horizons: [String: Timestamp] = [:]

    mutating func add(_ step: VacuumResult) {
      removed += step.removed
      examined += step.examined
      horizons.merge(step.horizons) { max($0, $1) }
      done = step.done
    }
  }
}
