import ArgumentParser
import FeatureDB

/// `fdb demo`: builds a demo store from generated data and prints a short tour.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Build a demo store from generated data and show what it holds.",
    discussion: """
      Defines four features (an int, a double with a TTL and max versions 5, a string and an \
      8-dim embedding) and writes one version of each for every user in one transaction, with \
      lineage. Safe to run again: each run adds one version per value, so history grows. It \
      writes only into a new store or one it made before: a store holding other features is \
      refused (exit 2), so give it its own with --db.

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
  ]

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
    try store.write { batch in
      batch.lineage = Lineage(producer: "fdb.demo@1.0", run: run, source: "generated")
      batch.eventTime = eventTime
      for user in ids {
        batch.put("user.sessions_7d", user, Int.random(in: 0...40, using: &rng))
        batch.put(
          "user.spend_7d", user, (Double.random(in: 0...500, using: &rng) * 100).rounded() / 100)
        batch.put("user.segment", user, segments[Int.random(in: 0..<segments.count, using: &rng)])
        batch.put(
          "user.embedding", user,
          (0..<8).map { _ in (Float.random(in: -1...1, using: &rng) * 1000).rounded() / 1000 })
      }
    }
    let before = eventTime - TimeSpan(microseconds: 1)
    let (latest, history, earlier) = try store.read { s in
      (
        try s.latest("user.spend_7d", "user1"), try s.history("user.spend_7d", "user1"),
        try s.asOf("user.spend_7d", "user1", eventTime: before)
      )
    }
    let output = global.output
    output.document(
      .object([
        ("path", .string(global.path)), ("run", .string(run)), ("users", .int(users)),
        ("versionsWritten", .int(users * Self.definitions.count)),
        ("features", .array(Self.definitions.map { .string($0.name) })),
        ("latest", .optional(latest, Display.json)), ("historyVersions", .int(history.count)),
        ("asOfBefore", .optional(earlier, Display.json)),
      ]))
    guard !output.quiet else { return }
    output.line("Demo store \(global.path), run \(run)")
    output.line(
      "wrote \(users * Self.definitions.count) versions (\(Self.definitions.count) features × \(users) users) in one transaction, event time \(eventTime)"
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
    output.line("More: fdb features, fdb get user1 --all, fdb stats, fdb help")
  }
}
