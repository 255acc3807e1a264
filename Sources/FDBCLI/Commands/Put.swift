import ArgumentParser
import FeatureDB

/// `fdb put`: writes one version with lineage.
struct Put: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Write a new version of a feature for an entity.",
    discussion: """
      VALUE is parsed by the feature's type: 42, 12.5, true, text, 0x00ff (bytes), \
      [0.1,0.2,0.3] (embedding). Put '--' before a negative number: fdb put f e -- -5. \
      --input names a parent version as FEATURE:ENTITY@VERSION or a raw input id as raw:ID.

      Examples:
        fdb put user.spend_7d u1 12.5
        fdb put user.spend_7d u1 14.0 --event-time 2026-01-05T10:30:00Z \\
            --producer spend.extract@1.2.0 --run run-42 --source orders.parquet \\
            --input user.orders:u1@7 --input raw:evt-991 --note "backfill"
        fdb put user.segment u1 loyal --event-time -2h
        fdb put user.embedding u1 '[0.1,0.2,0.3,0.4]'
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name.")
  var feature: String

  @Argument(help: "Entity id.")
  var entity: String

  @Argument(help: "The value, in the feature's type.")
  var value: String

  @OptionGroup var write: WriteOptions

  func run() throws {
    let eventTime = try write.eventTime(now: .now)
    let lineage = try write.lineage()
    let entity = try ValueArgument.entity(entity)
    let store = try global.openStore(.write)
    guard let definition = try store.feature(feature) else {
      throw FeatureDBError.unknownFeature(feature)
    }
    let parsed = try ValueArgument.value(value, as: definition.type, feature: feature)
    let ref = try store.put(feature, entity, parsed, eventTime: eventTime, lineage: lineage)
    try write.finishImplicitRun(store)
    let output = global.output
    output.document(
      .object([
        ("feature", .string(feature)), ("entity", .string(entity)), ("version", .int(ref.version)),
        ("value", Display.json(parsed)),
      ]))
    output.note("wrote \(ref)")
  }
}
