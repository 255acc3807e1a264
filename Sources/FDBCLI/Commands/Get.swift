import ArgumentParser
import FeatureDB

/// `fdb get`: reads a value (latest, as of a time) or every feature of an entity.
struct Get: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Read a feature's value for an entity, or every feature of an entity.",
    usage: """
      fdb get FEATURE ENTITY [--as-of T] [--as-of-write W]
        fdb get ENTITY --all
        fdb get ENTITY --group NAME
      """,
    discussion: """
      --as-of T reads the value as of event time T (point-in-time correct: the newest version \
      with event time ≤ T that had not expired at T). --as-of-write W reads what the store held \
      at write time W. Both may be given. No value, a deleted value, or an answer that pruning \
      or vacuum removed is exit 3, with a message saying which.

      Examples:
        fdb get user.spend_7d u1
        fdb get user.spend_7d u1 --as-of 2026-01-05T00:00:00Z
        fdb get user.spend_7d u1 --as-of -7d --as-of-write -1d
        fdb get u1 --all
        fdb get u1 --group fraud.v2
        fdb get user.spend_7d u1 --quiet        # the bare value, for scripts
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: ArgumentHelp("Feature name (with --all: the entity id).", valueName: "feature"))
  var first: String

  @Argument(help: ArgumentHelp("Entity id.", valueName: "entity"))
  var second: String?

  @Flag(help: "Every feature of one entity (latest values).")
  var all = false

  @Option(
    help: ArgumentHelp("The features of this feature group (latest values).", valueName: "name"))
  var group: String?

  @Option(
    name: .customLong("as-of"), parsing: .unconditional,
    help: ArgumentHelp("Event time to read at (ISO-8601 UTC or -2h…).", valueName: "time"))
  var asOf: String?

  @Option(
    name: .customLong("as-of-write"), parsing: .unconditional,
    help: ArgumentHelp("Write time to read at: what the store held then.", valueName: "time"))
  var asOfWrite: String?

  func validate() throws {
    if all || group != nil {
      guard !(all && group != nil) else { throw ValidationError("give --all or --group, not both") }
      guard second == nil else {
        throw ValidationError("with --all or --group give only the entity: fdb get ENTITY --all")
      }
      guard asOf == nil, asOfWrite == nil else {
        throw ValidationError("--as-of and --as-of-write do not apply to --all or --group")
      }
    } else if second == nil {
      throw ValidationError("missing ENTITY: fdb get FEATURE ENTITY, or fdb get ENTITY --all")
    }
  }

  func run() throws {
    if all || group != nil {
      try readAll(entity: ValueArgument.entity(first))
    } else {
      try readOne(feature: first, entity: ValueArgument.entity(second ?? ""))
    }
  }

  private func readOne(feature: String, entity: String) throws {
    let now = Timestamp.now
    let eventTime = try asOf.map { t throws(CLIError) in
      try TimeArgument.time(t, now: now, option: "--as-of")
    }
    let writeTime = try asOfWrite.map { t throws(CLIError) in
      try TimeArgument.time(t, now: now, option: "--as-of-write")
    }
    let store = try global.openStore(.read)
    guard let definition = try store.feature(feature) else {
      throw FeatureDBError.unknownFeature(feature)
    }
    let found =
      eventTime == nil && writeTime == nil
      ? try store.latestVersion(feature, entity)
      : try store.asOfVersion(feature, entity, eventTime: eventTime, writeTime: writeTime)
    var when = ""
    if let eventTime { when += " as of event time \(eventTime)" }
    if let writeTime { when += (eventTime == nil ? " as of" : " and") + " write time \(writeTime)" }
    guard let version = found else {
      throw CLIError.notFound("feature '\(feature)' entity '\(entity)' has no value\(when)")
    }
    guard let value = version.value else {
      throw CLIError.notFound(
        "feature '\(feature)' entity '\(entity)' has no value\(when): deleted by version \(version.version) (event time \(version.eventTime))"
      )
    }
    let output = global.output
    output.document(Display.json(version, ttl: definition.ttl, now: now))
    if output.quiet {
      output.line(value.description)
      return
    }
    var fields = [
      ("value", Display.text(value)), ("version", String(version.version)),
      ("event time", version.eventTime.iso8601), ("write time", version.writeTime.iso8601),
    ]
    fields += lineageFields(version.lineage)
    output.fields(fields)
  }

  private func readAll(entity: String) throws {
    let store = try global.openStore(.read)
    let now = Timestamp.now
    let versions = try store.read { snapshot in
      let names =
        try group.map { try snapshot.features(ofGroup: $0) }
        ?? snapshot.latestAll(entity: entity).keys.sorted()
      return try names.compactMap { try snapshot.latestVersion($0, entity) }
    }
    guard !versions.isEmpty else {
      throw CLIError.notFound(
        "entity '\(entity)' has no values\(group.map { " in group '\($0)'" } ?? "")")
    }
    let definitions = Dictionary(
      try store.features().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let output = global.output
    var table = Table([
      .init(title: "FEATURE"), .init(title: "TYPE"), .init(title: "VERSION", rightAligned: true),
      .init(title: "EVENT-TIME"), .init(title: "VALUE"),
    ])
    for v in versions {
      output.jsonLine(Display.json(v, ttl: definitions[v.feature]?.ttl, now: now))
      table.append([
        .init(v.feature, .bold), .init(definitions[v.feature]?.type.description ?? "?"),
        .init(String(v.version)), .init(v.eventTime.iso8601),
        .init(Display.text(v.value, limit: 60)),
      ])
    }
    output.table(table)
  }
}

/// The lineage of a version as `key  value` lines, leaving out what it does not have.
func lineageFields(_ lineage: Lineage) -> [(String, String)] {
  var fields: [(String, String)] = []
  if let p = lineage.producer { fields.append(("producer", p)) }
  if let r = lineage.run { fields.append(("run", r)) }
  if let s = lineage.source { fields.append(("source", s)) }
  if !lineage.inputs.isEmpty {
    fields.append(("inputs", lineage.inputs.map(LineageArgument.text).joined(separator: ", ")))
  }
  if let n = lineage.note { fields.append(("note", n)) }
  return fields
}
