import ArgumentParser
import FeatureDB

/// `fdb describe`: one feature's definition and figures.
struct Describe: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Show one feature's definition, retention and figures.",
    discussion: """
      Examples:
        fdb describe user.spend_7d
        fdb describe user.spend_7d --json
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name.")
  var name: String

  func run() throws {
    let store = try global.openStore(.read, wholeStore: true)
    guard let d = try store.feature(name) else { throw FeatureDBError.unknownFeature(name) }
    let s = try store.stats().features.first { $0.name == name }
    let output = global.output
    output.document(.object(Display.json(d) + Display.json(s)))
    var fields: [(String, String)] = [("name", d.name), ("type", d.type.description)]
    if case .embedding = d.type { fields.append(("encoding", d.encoding.rawValue)) }
    fields.append(("max versions", Display.maxVersions(d.maxVersions)))
    fields.append(("ttl", d.ttl?.description ?? "none"))
    fields.append(("description", Display.dash(d.description)))
    fields.append(("owner", Display.dash(d.owner)))
    fields.append(("tags", d.tags.isEmpty ? "-" : d.tags.joined(separator: ", ")))
    fields.append(("created", d.createdAt.iso8601))
    fields.append(("vacuum horizon", d.vacuumHorizon?.iso8601 ?? "-"))
    let (versions, active, expired) = (s?.versions ?? 0, s?.active ?? 0, s?.expired ?? 0)
    fields.append(("entities", String(s?.entities ?? 0)))
    fields.append(("versions", "\(versions) (active \(active), expired \(expired))"))
    fields.append(("removed", "\(s?.pruned ?? 0) pruned, \(s?.vacuumed ?? 0) vacuumed"))
    fields.append(("bytes", Display.bytes(s?.bytes ?? 0)))
    output.fields(fields)
  }
}
