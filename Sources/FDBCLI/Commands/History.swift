import ArgumentParser
import FeatureDB

/// `fdb history`: every retained version with lineage.
struct History: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the retained versions of a feature for an entity, newest first.",
    discussion: """
      Each version shows its event and write times, status (active, expired, retracted), value \
      and lineage. With --json, one JSON line per version.

      Examples:
        fdb history user.spend_7d u1
        fdb history user.spend_7d u1 --limit 3
        fdb history user.spend_7d u1 --include-retracted
        fdb history user.spend_7d u1 --json | jq .run
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name.")
  var feature: String

  @Argument(help: "Entity id.")
  var entity: String

  @Option(help: ArgumentHelp("At most this many versions (the newest).", valueName: "n"))
  var limit: Int?

  @Flag(help: "Also list retracted versions, with the rollback that retracted them.")
  var includeRetracted = false

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    let entity = try ValueArgument.entity(entity)
    let store = try global.openStore(.read)
    guard let definition = try store.feature(feature) else {
      throw FeatureDBError.unknownFeature(feature)
    }
    let versions = try store.history(
      feature, entity, limit: limit, includeRetracted: includeRetracted)
    guard !versions.isEmpty else {
      throw CLIError.notFound("feature '\(feature)' entity '\(entity)' has no versions")
    }
    let now = Timestamp.now
    let output = global.output
    var table = Table([
      .init(title: "VERSION", rightAligned: true), .init(title: "EVENT-TIME"),
      .init(title: "WRITE-TIME"), .init(title: "STATUS"), .init(title: "VALUE"),
      .init(title: "PRODUCER"), .init(title: "RUN"), .init(title: "SOURCE"), .init(title: "INPUTS"),
      .init(title: "NOTE"),
    ])
    for v in versions {
      output.jsonLine(Display.json(v, ttl: definition.ttl, now: now))
      let lineage = v.lineage
      table.append([
        .init(String(v.version)), .init(v.eventTime.iso8601), .init(v.writeTime.iso8601),
        v.retractedBy.map { .init("retracted by op \($0)", .red) }
          ?? Display.status(v, ttl: definition.ttl, now: now),
        .init(Display.text(v.value, limit: 40), v.isTombstone ? .dim : .plain),
        .init(Display.dash(lineage.producer)), .init(Display.dash(lineage.run)),
        .init(Display.dash(lineage.source)),
        .init(Display.dash(lineage.inputs.map(LineageArgument.text).joined(separator: ","))),
        .init(Display.dash(lineage.note)),
      ])
    }
    output.table(table)
  }
}
