import ArgumentParser
import FeatureDB
import FeaturePipeline

/// `fdb demo`: builds a demo store from generated events through the pipeline and prints a
/// short tour of reads, lineage and the rollback of a bad pipeline run.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Build a demo store from generated events through the pipeline and tour it.",
    discussion: """
      Generates a seeded stream of behaviour events (--events, default 20 per user and at \
      most 5,000) and runs the extraction pipeline over it, as 'fdb pipeline run --prefix \
      user' does over a file: every feature of docs/pipeline.md, per user, with lineage, in \
      run demo-<time>. Then a tour of the busiest user: a point read and the history of \
      user.value_mean; the lineage of user.z_score, whose versions name the parent versions \
      of user.value_mean and user.value_std and the events they came from; a bad run \
      (RUN-bad) that feeds three 5 TB data transfers to the busiest users; and its rollback \
      with --cascade, which retracts every version the bad run wrote. Safe to run again: \
      each run continues the stream 8 days after the previous one (seed + 1), past every \
      window, so history grows. It writes only into a new store or one it made before: a \
      store holding other features is refused (exit 2), so give it its own with --db.

      Examples:
        fdb demo
        fdb demo --db /tmp/demo.fdb --users 1000 --events 20000 --seed 3
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("How many users to generate events for (1…100000).", valueName: "n"))
  var users = 250

  @Option(
    help: ArgumentHelp(
      "How many events to generate (1…1000000; default 20 per user, at most 5000).",
      valueName: "n"))
  var events: Int?

  @Option(help: ArgumentHelp("Seed of the generated events.", valueName: "s"))
  var seed: UInt64 = 7

  func validate() throws {
    guard (1...100_000).contains(users) else {
      throw ValidationError("--users must be 1…100000, got \(users)")
    }
    if let events, !(1...1_000_000).contains(events) {
      throw ValidationError("--events must be 1…1000000, got \(events)")
    }
  }

  /// Events to generate: `--events`, else 20 per user and at most 5,000 (a couple of seconds
  /// in a debug build).
  var eventCount: Int { events ?? min(20 * users, 5_000) }

  /// The feature read and shown with its history.
  static let readFeature = "user.value_mean"
  /// The derived feature whose lineage is shown.
  static let derivedFeature = "user.z_score"
  /// The feature whose value the bad run changes and the rollback restores.
  static let badFeature = "user.data_transfer_volume"
  /// Bytes of each of the bad run's data transfers (5 TB).
  static let badBytes = 5e12
  /// Where the first demo's events start: 2026-01-05T00:00:00Z, a Monday.
  static let firstStart = Timestamp(microseconds: 1_767_571_200_000_000)
  /// How many days later each demo's events start than the previous demo's on one store. The
  /// next demo's run rewinds the pipeline state past the bad run it rolled back; 8 days, past
  /// the longest event window (7 days + lateness), keeps the demos apart anyway (a bad run whose
  /// rollback was undone included). A stream of at most 1,000,000 events spans under 6 hours.
  static let slotDays: Int64 = 8

  func run() throws {
    let store = try global.openStore(.create)
    let run = "demo-\(Timestamp.now.iso8601)"
    let options = PipelineOptions(prefix: "user", runID: run, batchSize: 250)
    let runner = try PipelineRunner(store: store, options: options)
    try refuseOtherFeatures(in: store, demo: runner.featureNames)
    // The n-th demo on this store (from 0) reads input demo-events-n: a checkpoint of its own.
    var n = 0
    while try store.checkpoint(runner.checkpointName("demo-events-\(n)")) != nil { n += 1 }
    let input = "demo-events-\(n)"
    let streamSeed = seed &+ UInt64(n)
    let stream = DemoStream(
      users: users, events: eventCount, seed: streamSeed,
      start: Self.firstStart + .days(Self.slotDays * Int64(n)))
    let progress = Progress(
      "demo", total: eventCount, unit: .items("events"), output: global.output)
    runner.progress = { progress.update($0.events) }
    let report = try runner.run(events: stream, input: input)
    progress.finish()
    guard let busiest = stream.busiest.first, let first = stream.first, let last = stream.last
    else { throw CLIError.failure("the generated stream held no events") }
    let user = busiest.user

    let (latest, history) = try store.read { s in
      (try s.latest(Self.readFeature, user), try s.history(Self.readFeature, user))
    }
    guard let maxVersions = try store.feature(Self.readFeature)?.maxVersions else {
      throw CLIError.failure("the pipeline defined no \(Self.readFeature)")
    }
    guard let derived = try store.latestVersion(Self.derivedFeature, user) else {
      throw CLIError.failure("the pipeline wrote no \(Self.derivedFeature) for \(user)")
    }
    let lineage = try store.upstream(Self.derivedFeature, user, version: derived.version, depth: 1)

    // The bad run: one absurd data transfer for each of the busiest users, a minute after the
    // stream, through the same pipeline (a runner reads the users' states from the store).
    let badRun = run + "-bad"
    let bad = stream.badTransfers(bytes: Self.badBytes, at: last + .minutes(1), seed: streamSeed)
    let before = try store.latest(Self.badFeature, user)
    var badOptions = options
    badOptions.runID = badRun
    let badRunner = try PipelineRunner(store: store, options: badOptions)
    let badReport = try badRunner.run(events: bad, input: input + "-bad")
    let badValue = try store.latest(Self.badFeature, user)
    let rollback = try store.rollback(
      .run(badRun), RollbackOptions(cascade: true, actor: "fdb demo", reason: "5 TB transfers"))
    guard let operation = rollback.operation?.id else {
      throw CLIError.failure("the rollback of \(badRun) recorded no operation")
    }
    let after = try store.latest(Self.badFeature, user)

    let tour = DemoTour(
      path: global.path, run: run, input: input, seed: streamSeed, users: users,
      report: report, features: runner.featureNames.count, first: first, last: last,
      user: user, userEvents: busiest.events, latest: latest, history: history,
      maxVersions: maxVersions,
      derived: derived, lineage: lineage, badRun: badRun, badUsers: bad.map(\.userID),
      badVersions: badReport.versions, before: before, badValue: badValue,
      operation: operation, retracted: rollback.retracted, cascaded: rollback.cascaded,
      after: after)
    tour.write(to: global.output)
  }

  /// Refuses (exit 2) a store that holds a feature the pipeline does not define: the demo
  /// writes only into a new store or one it made before.
  func refuseOtherFeatures(in store: FeatureStore, demo names: [String]) throws {
    let demo = Set(names)
    let others = try store.features().map(\.name).filter { !demo.contains($0) }
    guard others.isEmpty else {
      throw CLIError.usage(
        "\(global.path) holds other features (\(others.prefix(3).joined(separator: ", "))\(others.count > 3 ? ", …" : "")); the demo writes only into a store of its own: pass --db demo.fdb"
      )
    }
  }
}
