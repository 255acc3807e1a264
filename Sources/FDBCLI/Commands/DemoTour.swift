import FeatureDB
import FeaturePipeline

/// What `fdb demo` did and read, printed as its tour (text) or as one JSON document.
struct DemoTour {
  /// The store directory.
  var path: String
  /// The pipeline run that built the store.
  var run: String
  /// The pipeline input name (its checkpoint's), `demo-events-N`.
  var input: String
  /// The seed the events were generated with.
  var seed: UInt64
  /// `--users`.
  var users: Int
  /// What the pipeline run did.
  var report: PipelineReport
  /// How many features the pipeline defines.
  var features: Int
  /// The earliest and latest event times of the stream.
  var first: Timestamp
  var last: Timestamp
  /// The busiest user, whom the tour follows, and its event count.
  var user: String
  var userEvents: Int
  /// ``Demo/readFeature`` of the user: latest value and history.
  var latest: FeatureValue?
  var history: [Version]
  /// Its max versions (0 = unlimited).
  var maxVersions: Int
  /// The latest version of ``Demo/derivedFeature`` of the user and its upstream lineage.
  var derived: Version
  var lineage: LineageNode
  /// The bad run's id (`RUN-bad`).
  var badRun: String
  /// The users the bad run fed a transfer to.
  var badUsers: [String]
  /// Versions the bad run wrote.
  var badVersions: Int
  /// ``Demo/badFeature`` of the user before the bad run, after it, and after the rollback.
  var before: FeatureValue?
  var badValue: FeatureValue?
  /// The rollback's operation id, versions retracted and, of those, derived ones.
  var operation: UInt64
  var retracted: Int
  var cascaded: Int
  var after: FeatureValue?

  /// The JSON document (with `--json`) or the text tour (unless `--quiet`).
  func write(to output: Output) {
    output.document(json)
    guard !output.quiet else { return }
    for line in opening { output.line(line) }
    output.table(historyTable)
    for line in closing { output.line(line) }
  }

  /// Everything above as one JSON object.
  var json: JSON {
    .object([
      ("path", .string(path)), ("run", .string(run)), ("input", .string(input)),
      ("seed", .int(seed)), ("users", .int(users)), ("events", .int(report.events)),
      ("versions", .int(report.versions)), ("transactions", .int(report.batches)),
      ("features", .int(features)), ("firstEventTime", .string(first.iso8601)),
      ("lastEventTime", .string(last.iso8601)), ("user", .string(user)),
      ("userEvents", .int(userEvents)),
      (
        "read",
        .object([
          ("feature", .string(Demo.readFeature)), ("latest", .optional(latest, Display.json)),
          ("historyVersions", .int(history.count)),
        ])
      ),
      (
        "lineage",
        .object([
          ("feature", .string(Demo.derivedFeature)), ("version", .int(derived.version)),
          ("value", .optional(derived.value, Display.json)),
          ("inputs", .array(derived.lineage.inputs.map { .string(LineageArgument.text($0)) })),
        ])
      ),
      (
        "rollback",
        .object([
          ("badRun", .string(badRun)), ("badUsers", .array(badUsers.map { .string($0) })),
          ("badVersions", .int(badVersions)), ("feature", .string(Demo.badFeature)),
          ("beforeBadRun", .optional(before, Display.json)),
          ("afterBadRun", .optional(badValue, Display.json)), ("operation", .int(operation)),
          ("retracted", .int(retracted)), ("cascaded", .int(cascaded)),
          ("afterRollback", .optional(after, Display.json)),
        ])
      ),
    ])
  }

  /// A value for people, or `none`.
  private func shown(_ value: FeatureValue?) -> String {
    value.map { DisplayText.oneLine(Display.text($0)) } ?? "none"
  }

  /// The lines up to the history table.
  private var opening: [String] {
    [
      "Demo store \(path), run \(run)",
      "generated \(Display.count(report.events, "event")) of \(Display.count(users, "user")) (seed \(seed)), \(first) to \(last)",
      "the pipeline wrote \(Display.count(report.versions, "version")) of \(features) features in \(Display.count(report.batches, "transaction")), with lineage (input \(input))",
      "  fdb run show \(run)",
      "",
      "\(user) has the most events (\(userEvents)). Its \(Demo.readFeature) (mean purchase amount): \(shown(latest))",
      "  fdb get \(Demo.readFeature) \(user)",
      "",
      "Its history, newest first (max versions \(Display.maxVersions(maxVersions))):",
    ]
  }

  /// The read feature's history: version, event time, value, run.
  private var historyTable: Table {
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
    return table
  }

  /// The lines after the history table.
  private var closing: [String] {
    let names =
      badUsers.dropLast().joined(separator: ", ") + (badUsers.count > 1 ? " and " : "")
      + (badUsers.last ?? "")
    return [
      "  fdb history \(Demo.readFeature) \(user)",
      "",
      "\(Demo.derivedFeature) is derived from user.value_mean and user.value_std: each version names the parent versions it was computed from and the events it covers.",
      "  fdb lineage \(Demo.derivedFeature) \(user) --depth 1",
    ] + lineage.rendered().split(separator: "\n").map(String.init) + [
      "",
      "A bad run, \(badRun), fed a 5 TB data transfer to \(names): it wrote \(Display.count(badVersions, "version")); \(user)'s \(Demo.badFeature) went from \(shown(before)) to \(shown(badValue)). Roll the run back, with what was derived from it:",
      "  fdb rollback --run \(badRun) --cascade --reason \"5 TB transfers\"",
      "operation \(operation): retracted \(Display.count(retracted, "version")) (\(cascaded) derived); \(user)'s \(Demo.badFeature) is \(shown(after)) again",
      "  fdb history \(Demo.badFeature) \(user) --include-retracted",
      "  fdb undo \(operation)",
      "",
      "More: fdb features, fdb get \(user) --all, fdb runs, fdb ops, fdb graph, fdb help",
    ]
  }
}
