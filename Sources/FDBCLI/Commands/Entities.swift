import ArgumentParser
import FeatureDB

/// `fdb entities`: the entities that hold values of a feature.
struct Entities: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the entities that hold versions of a feature, in entity-id order.",
    discussion: """
      One entity id per line, nothing when there is none (--json: one {"entity": …} line \
      each). An entity counts when it \
      holds a retained version of the feature, whatever its status. --after pages on from the \
      last id of a previous page. Reads only.

      Examples:
        fdb entities user.spend_7d
        fdb entities user.spend_7d --limit 100
        fdb entities user.spend_7d --prefix user4 --limit 10
        fdb entities user.spend_7d --limit 100 --after user1099
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name.")
  var feature: String

  @Option(help: ArgumentHelp("At most this many entities.", valueName: "n"))
  var limit: Int?

  @Option(help: ArgumentHelp("Only entity ids that start with this.", valueName: "prefix"))
  var prefix: String?

  @Option(help: ArgumentHelp("Start after this entity id.", valueName: "entity"))
  var after: String?

  func validate() throws {
    if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
  }

  func run() throws {
    let store = try global.openStore(.read)
    let output = global.output
    let entities = try store.entities(of: feature, prefix: prefix, after: after, limit: limit)
    for entity in entities {
      output.jsonLine(.object([("entity", .string(entity))]))
      output.line(DisplayText.oneLine(entity))
    }
  }
}
