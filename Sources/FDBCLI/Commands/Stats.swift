import ArgumentParser
import FeatureDB

/// `fdb stats`: store and per-feature figures.
struct Stats: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show store and per-feature figures: sizes, pages, versions, expired, removed.",
    discussion: """
      Reads every record once (one read snapshot): time grows with the store.

      Examples:
        fdb stats
        fdb stats --json | jq '.features[] | select(.expired > 0) | .name'
      """)

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let store = try global.openStore(.read, wholeStore: true)
    let stats = try store.stats()
    let output = global.output
    output.document(
      .object([
        ("path", .string(global.path)), ("fileBytes", .int(stats.fileBytes)),
        ("mapSize", .int(stats.mapSize)), ("pageSize", .int(stats.pageSize)),
        ("usedPages", .int(stats.usedPages)), ("freePages", .int(stats.freePages)),
        ("entities", .int(stats.entities)),
        ("changeRecords", .int(Int(clamping: stats.changeRecords))),
        ("changePages", .int(stats.changePages)),
        (
          "features",
          .array(stats.features.map { .object([("name", .string($0.name))] + Display.json($0)) })
        ),
      ]))
    output.fields([
      ("store", global.path),
      (
        "file",
        "\(Display.bytes(stats.fileBytes)) (map \(Display.bytes(stats.mapSize)), page \(stats.pageSize) B)"
      ),
      ("pages", "\(stats.usedPages) used, \(stats.freePages) free"),
      ("entities", String(stats.entities)),
      ("features", String(stats.features.count)),
      (
        "change feed",
        "\(Display.count(Int(clamping: stats.changeRecords), "change")), \(Display.count(stats.changePages, "page"))"
      ),
    ])
    guard !stats.features.isEmpty else { return }
    output.line()
    var table = Table(
      [Table.Column(title: "FEATURE")]
        + ["ENTITIES", "VERSIONS", "ACTIVE", "EXPIRED", "PRUNED", "VACUUMED", "BYTES"].map {
          Table.Column(title: $0, rightAligned: true)
        })
    for f in stats.features {
      table.append(
        [Table.Cell(f.name, .bold)]
          + [f.entities, f.versions, f.active, f.expired, f.pruned, f.vacuumed].map {
            Table.Cell(String($0))
          } + [Table.Cell(Display.bytes(f.bytes))])
    }
    output.table(table)
  }
}
