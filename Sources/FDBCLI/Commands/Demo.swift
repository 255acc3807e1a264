import ArgumentParser
import FeatureDB

/// `fdb demo`: builds a demo store from generated data and prints a short tour.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Build a demo store from generated data and show what it holds.",
    discussion: """
      Defines four features (an int, a double with a TTL and max versions 5, a string and an \
      8-dim embedding) and writes one version of each for every user in one transaction, with \
      lineage. Then a derived feature, user.spend_per_session, naming its two parent versions \
      as lineage inputs; a bad run that rewrites three users' spend (and the derived values \
      recomputed from it); and a rollback of the bad run with --cascade, which retracts both. \
      Safe to run again: each run adds one version per value, so history grows. It writes only \
      into a new store or one it made before: a store holding other features is refused (exit \
      2), so give it its own with --db.

      Examples:
        fdb demo
        fdb demo --db /tmp/demo.fdb --users 10000
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("How many users to generate (1…1000000).", valueName: "n"))
  var users = 1000

  func validate() throws {
    guard (1...1_000_000).contains(users) else {
      throw ValidationError("--users must be 1…1000000, got \(users)")
    }
  }

  static let definitions = [
    FeatureDefinition(
      "user.sessions_7d", type: .int, description: "sessions in the last 7 days", owner: "growth"),
    FeatureDefinition(
      "user.spend_7d", type: .double, maxVersions: 5, ttl: .days(30),
      description: "spend in the last 7 days, EUR", owner: "finance"),
    FeatureDefinition("user.segment", type: .string, description: "marketing segment"),
    FeatureDefinition(
      "user.embedding", type: .embedding(dims: 8), description: "8-dim profile embedding"),
    FeatureDefinition(
      "user.spend_per_session", type: .double,
      description: "user.spend_7d / user.sessions_7d, derived (lineage inputs)", owner: "finance"),
  ]

  /// The features written for every user (the derived one is written from them).
  static let baseFeatures = 4

  func run() throws {
    let store = try global.openStore(.create)
    let demoNames = Set(Self.definitions.map(\.name))
    let others = try store.features().map(\.name).filter { !demoNames.contains($0) }
    guard others.isEmpty else {
      throw CLIError.usage(
        "\(global.path) holds other features (\(others.prefix(3).joined(separator: ", "))\(others.count > 3 ? ", …" : "")); the demo writes only into a store of its own: pass --db demo.fdb"
      )
    }
    // Features a previous run defined keep their settings (their retention may have changed).
    for d in Self.definitions where try store.feature(d.name) == nil { try store.define(d) }
    let now = Timestamp.now
    let run = "demo-\(now.iso8601)"
    let eventTime = now - .hours(1)
    let ids = (1...users).map { "user\($0)" }
    let segments = ["new", "casual", "loyal", "churning"]
    var rng = SystemRandomNumberGenerator()
    try store.beginRun(
      Run(
        id: run, name: "fdb demo", parameters: ["users": String(users)],
        codeVersion: "fdb.demo@1.0"))
    var sessions: [Int] = []
    var spend: [Double] = []
    let refs = try store.write { batch in
      batch.lineage = Lineage(producer: "fdb.demo@1.0", run: run, source: "generated")
      batch.eventTime = eventTime
      for user in ids {
        sessions.append(Int.random(in: 0...40, using: &rng))
        spend.append((Double.random(in: 0...500, using: &rng) * 100).rounded() / 100)
        batch.put("user.sessions_7d", user, sessions.last!)
        batch.put("user.spend_7d", user, spend.last!)
        batch.put("user.segment", user, segments[Int.random(in: 0..<segments.count, using: &rng)])
        batch.put(
          "user.embedding", user,
          (0..<8).map { _ in (Float.random(in: -1...1, using: &rng) * 1000).rounded() / 1000 })
      }
    }
    // The derived feature: each version names the exact parent versions it was computed from.
    func derive(_ i: Int, spend spendRef: VersionRef, spend value: Double) -> (Double, Lineage) {
      let perSession = (value / Double(max(sessions[i], 1)) * 100).rounded() / 100
      let sessionsRef = refs[i * Self.baseFeatures]
      return (
        perSession,
        Lineage(
          producer: "fdb.demo.derive@1.0", run: run,
          inputs: [
            .version(sessionsRef.feature, sessionsRef.entity, sessionsRef.version),
            .version(spendRef.feature, spendRef.entity, spendRef.version),
          ])
      )
    }
    try store.write { batch in
      batch.eventTime = eventTime
      for (i, user) in ids.enumerated() {
        let (value, lineage) = derive(i, spend: refs[i * Self.baseFeatures + 1], spend: spend[i])
        batch.put("user.spend_per_session", user, value, lineage: lineage)
      }
    }
    let derived = "user.spend_per_session"
    // Read before the bad run: its versions count against max versions while active, so with a
    // small maxVersions they can prune the previous run's value.
    let before = eventTime - TimeSpan(microseconds: 1)
    let earlier = try store.asOf("user.spend_7d", "user1", eventTime: before)
    let goodLineage = try store.upstream(derived, "user1", depth: 2)
    // A bad run writes three users' spend in cents; the derive step picks the bad values up.
    let badRun = run + "-bad"
    let bad = min(3, users)
    let badTime = now - .minutes(30)
    let cents = spend.prefix(bad).map { ($0 * 100).rounded() }
    try store.beginRun(Run(id: badRun, name: "fdb demo (bad)", codeVersion: "fdb.demo@1.0"))
    let badRefs = try store.write { batch in
      batch.lineage = Lineage(producer: "fdb.demo@1.0", run: badRun, source: "generated")
      batch.eventTime = badTime
      for i in 0..<bad { batch.put("user.spend_7d", ids[i], cents[i]) }
    }
    try store.finishRun(badRun)
    try store.write { batch in
      batch.eventTime = badTime
      for i in 0..<bad {
        let (value, lineage) = derive(i, spend: badRefs[i], spend: cents[i])
        batch.put(derived, ids[i], value, lineage: lineage)
      }
    }
    try store.finishRun(run)
    let badValue = try store.latest(derived, "user1")
    let rollback = try store.rollback(
      .run(badRun), RollbackOptions(cascade: true, actor: "fdb demo", reason: "spend in cents"))
    let operation = rollback.operation!.id
    let restored = try store.latest(derived, "user1")
    let (latest, history) = try store.read { s in
      (try s.latest("user.spend_7d", "user1"), try s.history("user.spend_7d", "user1"))
    }
    let output = global.output
    output.document(
      .object([
        ("path", .string(global.path)), ("run", .string(run)), ("users", .int(users)),
        ("versionsWritten", .int(users * Self.definitions.count + 2 * bad)),
        ("features", .array(Self.definitions.map { .string($0.name) })),
        ("latest", .optional(latest, Display.json)), ("historyVersions", .int(history.count)),
        ("asOfBefore", .optional(earlier, Display.json)),
        (
          "lineage",
          .object([
            ("derivedFeature", .string(derived)), ("badRun", .string(badRun)),
            ("badVersions", .int(bad)),
            ("derivedBeforeRollback", .optional(badValue, Display.json)),
            ("operation", .int(operation)), ("retracted", .int(rollback.retracted)),
            ("cascaded", .int(rollback.cascaded)),
            ("derivedAfterRollback", .optional(restored, Display.json)),
          ])
        ),
      ]))
    guard !output.quiet else { return }
    output.line("Demo store \(global.path), run \(run)")
    output.line(
      "wrote \(users * Self.baseFeatures) versions (\(Self.baseFeatures) features × \(users) users) in one transaction, event time \(eventTime)"
    )
    output.line()
    output.line("Latest user.spend_7d of user1: \(latest.map { Display.text($0) } ?? "none")")
    output.line("  fdb get user.spend_7d user1")
    output.line()
    output.line("Its history, newest first (max versions 5):")
    var table = Table([
      .init(title: "VERSION", rightAligned: true), .init(title: "EVENT-TIME"),
      .init(title: "VALUE", rightAligned: true), .init(title: "RUN"),
    ])
    for v in history {
      table.append([
        .init(String(v.version)), .init(v.eventTime.iso8601), .init(Display.text(v.value)),
        .init(Display.dash(v.lineage.run)),
      ])
    }
    output.table(table)
    output.line("  fdb history user.spend_7d user1")
    output.line()
    output.line(
      "As of just before this run's event time (the previous run's value): \(earlier.map { Display.text($0) } ?? "none yet")"
    )
    output.line("  fdb get user.spend_7d user1 --as-of \(before)")
    output.line()
    output.line(
      "\(derived) is derived: each version names the two parent versions it was computed from.")
    output.line("  fdb lineage \(derived) user1")
    for line in goodLineage.rendered().split(separator: "\n") { output.line(String(line)) }
    output.line()
    output.line(
      "A bad run, \(badRun), wrote user.spend_7d of \(Display.count(bad, "user")) in cents; \(derived) was recomputed from it (user1: \(badValue.map { Display.text($0) } ?? "none")). Roll the run back, with what was derived from it:"
    )
    output.line("  fdb rollback --run \(badRun) --cascade --reason \"spend in cents\"")
    output.line(
      "operation \(operation): retracted \(Display.count(rollback.retracted, "version")) (\(rollback.cascaded) derived); user1's \(derived) is \(restored.map { Display.text($0) } ?? "none") again"
    )
    output.line("  fdb history \(derived) user1 --include-retracted")
    output.line("  fdb undo \(operation)")
    output.line()
    output.line("More: fdb features, fdb get user1 --all, fdb runs, fdb ops, fdb graph, fdb help")
  }
}
