import ArgumentParser
import FeatureDB

/// `fdb define-group`: a named set of features a model consumes together.
struct DefineGroup: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "define-group",
    abstract: "Define a feature group (a named set of features), or change one.",
    discussion: """
      A group can stand for its features in 'fdb get ENTITY --group NAME' and 'fdb export \
      --group NAME' (columns in the group's order), and in the Swift API.

      Examples:
        fdb define-group fraud.v2 --features user.spend_7d,user.risk
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Group name (letters, digits, _ . -).")
  var name: String

  @Option(help: ArgumentHelp("The features, comma-separated, in column order.", valueName: "f1,f2"))
  var features: String

  @Option(help: ArgumentHelp("What the group is for.", valueName: "text"))
  var description = ""

  @Option(help: ArgumentHelp("Who owns it.", valueName: "name"))
  var owner = ""

  func run() throws {
    let store = try global.openStore(.write)
    let group = try store.defineGroup(
      FeatureGroup(
        name, features: features.split(separator: ",").map(String.init),
        description: description, owner: owner))
    global.output.document(GroupDisplay.json(group))
    global.output.note(
      "defined group \(group.name) (\(Display.count(group.features.count, "feature")))")
  }
}

/// `fdb groups`: the feature groups.
struct Groups: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the feature groups.",
    discussion: """
      Examples:
        fdb groups
        fdb groups --json
      """)

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let store = try global.openStore(.read)
    let groups = try store.groups()
    let output = global.output
    if groups.isEmpty { output.note("no feature groups yet (fdb define-group NAME --features …)") }
    var table = Table([
      .init(title: "GROUP"), .init(title: "FEATURES"), .init(title: "OWNER"),
      .init(title: "DESCRIPTION"),
    ])
    for g in groups {
      output.jsonLine(GroupDisplay.json(g))
      table.append([
        .init(g.name, .bold), .init(g.features.joined(separator: ",")),
        .init(Display.dash(g.owner)), .init(Display.dash(g.description)),
      ])
    }
    if !groups.isEmpty { output.table(table) }
  }
}

/// Feature groups for the command line.
enum GroupDisplay {
  static func json(_ g: FeatureGroup) -> JSON {
    .object([
      ("name", .string(g.name)), ("features", .array(g.features.map { .string($0) })),
      ("description", .string(g.description)), ("owner", .string(g.owner)),
      ("createdAt", Display.json(g.createdAt)),
    ])
  }
}
