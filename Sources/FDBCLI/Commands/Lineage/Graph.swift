import ArgumentParser
import FeatureDB

/// `fdb graph`: the feature-level lineage graph.
struct Graph: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show which features are derived from which, by which code.",
    discussion: """
      One edge per (parent feature, derived feature, producer) with the number of version links \
      and the last write, kept up to date by every write (no scan). DOT renders with Graphviz; \
      Mermaid renders on GitHub and in many editors.

      Examples:
        fdb graph
        fdb graph --format dot | dot -Tsvg > features.svg
        fdb graph --feature user.risk --format mermaid
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("Only edges touching this feature.", valueName: "name"))
  var feature: String?

  @Option(help: ArgumentHelp("tree (a table), json, dot or mermaid.", valueName: "format"))
  var format: LineageFormat = .tree

  func run() throws {
    let store = try global.openStore(.read)
    let graph = try store.featureGraph(feature: feature)
    let output = global.output
    switch global.json ? .json : format {
    case .dot: print(graph.dot(), terminator: "")
    case .mermaid: print(graph.mermaid(), terminator: "")
    case .json:
      print(
        JSON.array(
          graph.edges.map { e in
            .object([
              ("parent", .string(e.parent)), ("child", .string(e.child)),
              ("producer", Display.json(e.producer)), ("count", .int(e.count)),
              ("lastWrite", Display.json(e.lastWrite)),
            ])
          }
        ).pretty)
    case .tree:
      guard !graph.edges.isEmpty else {
        output.note("no derived features yet (versions written with --input FEATURE:ENTITY@V)")
        return
      }
      var table = Table([
        .init(title: "PARENT"), .init(title: "DERIVED"), .init(title: "PRODUCER"),
        .init(title: "LINKS", rightAligned: true), .init(title: "LAST-WRITE"),
      ])
      for e in graph.edges {
        table.append([
          .init(e.parent), .init(e.child), .init(Display.dash(e.producer)),
          .init(String(e.count)), .init(e.lastWrite.iso8601),
        ])
      }
      output.table(table)
    }
  }
}
