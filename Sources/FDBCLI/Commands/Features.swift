import ArgumentParser
import FeatureDB

/// `fdb features`: lists the catalog with figures.
struct Features: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the defined features with their entities, versions and retention.",
    discussion: """
      Counts come from one read of the whole store ('fdb stats' has more figures). With --json, \
      one JSON line per feature.

      Examples:
        fdb features
        fdb features --json | jq -r .name
      """)

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let store = try global.openStore(.read, wholeStore: true)
    let definitions = try store.features()
    let stats = Dictionary(
      try store.stats().features.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    let output = global.output
    var table = Table([
      .init(title: "NAME"), .init(title: "TYPE"), .init(title: "ENTITIES", rightAligned: true),
      .init(title: "VERSIONS", rightAligned: true),
      .init(title: "MAX-VERSIONS", rightAligned: true),
      .init(title: "TTL"), .init(title: "OWNER"), .init(title: "DESCRIPTION"),
    ])
    for d in definitions {
      let (entities, versions) = (stats[d.name]?.entities ?? 0, stats[d.name]?.versions ?? 0)
      output.jsonLine(
        .object(Display.json(d) + [("entities", .int(entities)), ("versions", .int(versions))]))
      table.append([
        .init(d.name, .bold), .init(d.type.description), .init(String(entities)),
        .init(String(versions)), .init(Display.maxVersions(d.maxVersions)),
        .init(d.ttl?.description ?? "-"), .init(Display.dash(d.owner)),
        .init(Display.dash(d.description)),
      ])
    }
    if definitions.isEmpty {
      output.note("no features defined (define one with 'fdb define NAME --type TYPE')")
    } else {
      output.table(table)
    }
  }
}
