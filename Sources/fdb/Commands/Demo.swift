import ArgumentParser
import FeatureDB
import Foundation

/// `fdb demo`: builds a demo store from generated data and prints a short tour.
struct Demo: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Build a demo store from generated data and show what it holds.",
    discussion: "Safe to run twice: each run adds a new day of data as new versions.")

  @Option(name: .long, help: "Store directory (default $FDB_PATH, else ./features.fdb).")
  var db: String?

  func run() throws {
    let path = db ?? ProcessInfo.processInfo.environment["FDB_PATH"] ?? FeatureStore.defaultPath
    let store = try FeatureStore(path: path)
    try store.define(FeatureDefinition("user.sessions_7d", type: .int, description: "sessions in the last 7 days", owner: "growth"))
    try store.define(FeatureDefinition("user.spend_7d", type: .double, maxVersions: 5, ttl: .days(30), description: "spend in the last 7 days, EUR"))
    try store.define(FeatureDefinition("user.segment", type: .string, description: "marketing segment"))
    try store.define(FeatureDefinition("user.embedding", type: .embedding(dims: 8), description: "8-dim profile embedding"))

    let users = (1...1000).map { "user\($0)" }
    let run = "demo-\(Timestamp.now.microseconds / 1_000_000)"
    let lineage = Lineage(producer: "fdb.demo@1.0", run: run, source: "generated")
    var rng = SystemRandomNumberGenerator()
    let day = Timestamp.now - .hours(1)
    try store.write { batch in
      batch.lineage = lineage
      batch.eventTime = day
      for user in users {
        batch.put("user.sessions_7d", user, Int.random(in: 0...40, using: &rng))
        batch.put("user.spend_7d", user, (Double.random(in: 0...500, using: &rng) * 100).rounded() / 100)
        batch.put("user.segment", user, ["new", "casual", "loyal", "churning"].randomElement(using: &rng)!)
        batch.put("user.embedding", user, (0..<8).map { _ in Float.random(in: -1...1, using: &rng) })
      }
    }
    print("wrote \(users.count * 4) versions of 4 features for \(users.count) users into \(path) (run \(run))")
    let spend = try store.latest("user.spend_7d", "user1", as: Double.self)
    print("latest user.spend_7d for user1: \(spend.map { String($0) } ?? "none")")
    let history = try store.history("user.spend_7d", "user1")
    print("history of user.spend_7d for user1 (\(history.count) versions, newest first):")
    for v in history {
      print("  v\(v.version)  \(v.value.map(\.description) ?? "<deleted>")  event \(v.eventTime)  written \(v.writeTime)  run \(v.lineage.run ?? "-")")
    }
    let before = try store.asOf("user.spend_7d", "user1", eventTime: day - .seconds(1))
    print("as of one second before this run's event time: \(before.map(\.description) ?? "no value")")
  }
}
