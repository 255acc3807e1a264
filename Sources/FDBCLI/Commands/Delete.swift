import ArgumentParser
import FeatureDB

/// `fdb delete`: writes a tombstone.
struct Delete: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Delete a feature's value for an entity (writes a tombstone version).",
    discussion: """
      History is kept: reads at or after the tombstone's event time find no value; as-of reads \
      before it still see the older versions. An entity with no versions is an error (exit 3).

      Examples:
        fdb delete user.segment u1
        fdb delete user.segment u1 --event-time 2026-01-05T00:00:00Z --note "GDPR"
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name.")
  var feature: String

  @Argument(help: "Entity id.")
  var entity: String

  @OptionGroup var write: WriteOptions

  func run() throws {
    let eventTime = try write.eventTime(now: .now)
    let lineage = try write.lineage()
    let entity = try ValueArgument.entity(entity)
    let store = try global.openStore(.write)
    guard try !store.history(feature, entity, limit: 1).isEmpty else {
      throw CLIError.notFound(
        "feature '\(feature)' entity '\(entity)' has no versions; nothing to delete")
    }
    let ref = try store.delete(feature, entity, eventTime: eventTime, lineage: lineage)
    try write.finishImplicitRun(store)
    let output = global.output
    output.document(
      .object([
        ("feature", .string(feature)), ("entity", .string(entity)), ("version", .int(ref.version)),
        ("deleted", .bool(true)),
      ]))
    output.note("deleted \(feature) for \(entity): tombstone \(ref)")
  }
}
