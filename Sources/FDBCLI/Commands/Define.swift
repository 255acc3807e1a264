import ArgumentParser
import FeatureDB

/// `fdb define`: adds a feature to the catalog, or changes its retention.
struct Define: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Define a feature, or change its settings.",
    discussion: """
      A new feature needs --type. For an existing feature --type may be left out; the options \
      given change its settings and the others stay as they are: --max-versions and --ttl \
      change its retention (lower max-versions applies to each value at its next write; 'fdb \
      prune' applies it now), --description, --owner and --tag its metadata. The type and the \
      encoding cannot change: another type is an error. Defining a feature again with the same \
      settings changes nothing.

      Examples:
        fdb define user.spend_7d --type double --max-versions 5 --ttl 30d
        fdb define user.segment --type string --description "segment" --owner growth
        fdb define user.embedding --type embedding:384 --tag profile
        fdb define user.spend_7d --max-versions 8
        fdb define user.spend_7d --ttl none      # drop the TTL
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name: letters, digits, _ . - (e.g. user.spend_7d).")
  var name: String

  @Option(
    help: ArgumentHelp(
      "int, double, bool, string, bytes or embedding:DIMS (needed for a new feature).",
      valueName: "type"))
  var type: String?

  @Option(
    help: ArgumentHelp(
      "How embeddings are stored: float32 (default), float16, bfloat16 or int8.",
      valueName: "encoding"))
  var encoding: String?

  @Option(
    help: ArgumentHelp(
      "Versions kept per entity; 0 keeps every version (default 10).", valueName: "n"))
  var maxVersions: Int?

  @Option(
    help: ArgumentHelp(
      "Values expire this long after their event time (90s, 15m, 24h, 7d; none).",
      valueName: "duration"))
  var ttl: String?

  @Option(
    name: .customLong("description"),
    help: ArgumentHelp("What the feature means.", valueName: "text"))
  var about: String?

  @Option(help: ArgumentHelp("Who owns the feature.", valueName: "owner"))
  var owner: String?

  @Option(name: .customLong("tag"), help: ArgumentHelp("A tag (repeatable).", valueName: "tag"))
  var tags: [String] = []

  func run() throws {
    let valueType = try type.map { type in
      guard let valueType = ValueType(parsing: type) else {
        throw CLIError.usage(
          "unknown type '\(type)' for --type: expected int, double, bool, string, bytes or embedding:DIMS"
        )
      }
      return valueType
    }
    let newTTL: TimeSpan?? =
      try ttl.map { $0 == "none" ? .none : try TimeArgument.duration($0, option: "--ttl") }
    let store = try global.openStore(.write)
    let output = global.output

    let found = try store.feature(name)
    guard let existing = found, valueType == nil || existing.type == valueType else {
      guard let valueType else {
        throw CLIError.usage(
          "feature '\(name)' is not defined; pass --type to define it (see 'fdb help define')")
      }
      let embeddingEncoding = try parseEncoding(for: valueType)
      var definition = FeatureDefinition(
        name, type: valueType, encoding: embeddingEncoding ?? .float32,
        maxVersions: maxVersions ?? 10, ttl: newTTL ?? nil, description: about ?? "",
        owner: owner ?? "", tags: tags)
      definition = try store.define(definition)  // throws featureTypeConflict for another type
      output.document(.object(Display.json(definition) + [("created", .bool(true))]))
      output.note("defined \(name) (\(summary(definition)))")
      return
    }
    if let encoding = try parseEncoding(for: existing.type), encoding != existing.encoding {
      throw CLIError.usage(
        "feature '\(name)' is stored as \(existing.encoding.rawValue); its encoding cannot change")
    }
    var wanted = existing
    if let maxVersions { wanted.maxVersions = maxVersions }
    if let newTTL { wanted.ttl = newTTL }
    if let about { wanted.description = about }
    if let owner { wanted.owner = owner }
    if !tags.isEmpty { wanted.tags = tags }
    let changesVersions = wanted.maxVersions != existing.maxVersions
    let changesTTL = wanted.ttl != existing.ttl
    var changed: [String] = []
    if wanted.description != existing.description { changed.append("description") }
    if wanted.owner != existing.owner { changed.append("owner") }
    if wanted.tags != existing.tags { changed.append("tags") }
    let updated = wanted == existing ? existing : try store.define(wanted)
    output.document(
      .object(
        Display.json(updated) + [
          ("created", .bool(false)),
          ("changed", .bool(changesVersions || changesTTL || !changed.isEmpty)),
        ]))
    if changesVersions {
      output.note(
        "\(name): max versions \(Display.maxVersions(existing.maxVersions)) → \(Display.maxVersions(updated.maxVersions))"
      )
    }
    if changesTTL {
      output.note(
        "\(name): ttl \(existing.ttl?.description ?? "none") → \(updated.ttl?.description ?? "none")"
      )
    }
    if changesVersions, updated.maxVersions != 0,
      existing.maxVersions == 0 || updated.maxVersions < existing.maxVersions
    {
      output.note("run 'fdb prune \(name)' to apply the new max versions to stored values now")
    }
    if !changed.isEmpty {
      output.note("\(name): \(changed.joined(separator: ", ")) changed")
    }
    if !changesVersions && !changesTTL && changed.isEmpty {
      output.note("\(name) is already defined (\(summary(existing))); nothing changed")
    }
  }

  private func parseEncoding(for valueType: ValueType) throws -> EmbeddingEncoding? {
    guard let encoding else { return nil }
    guard case .embedding = valueType else {
      throw CLIError.usage("--encoding applies only to embedding features, not \(valueType)")
    }
    guard let parsed = EmbeddingEncoding(rawValue: encoding) else {
      throw CLIError.usage(
        "unknown encoding '\(encoding)' for --encoding: expected float32, float16, bfloat16 or int8"
      )
    }
    return parsed
  }

  private func summary(_ d: FeatureDefinition) -> String {
    var parts = [d.type.description]
    if case .embedding = d.type, d.encoding != .float32 { parts.append(d.encoding.rawValue) }
    parts.append("max versions \(Display.maxVersions(d.maxVersions))")
    if let ttl = d.ttl { parts.append("ttl \(ttl)") }
    return parts.joined(separator: ", ")
  }
}
