import ArgumentParser
import FeatureDB

/// `fdb define`: adds a feature to the catalog, or changes its retention.
struct Define: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Define a feature, or change its retention.",
    discussion: """
      Defining an existing feature again with the same settings changes nothing. With the same \
      type, --max-versions and --ttl change its retention (lower max-versions applies to each \
      value at its next write; 'fdb prune' applies it now); its other settings cannot change. \
      Another type is an error.

      Examples:
        fdb define user.spend_7d --type double --max-versions 5 --ttl 30d
        fdb define user.segment --type string --description "segment" --owner growth
        fdb define user.embedding --type embedding:384 --tag profile
        fdb define user.spend_7d --type double --ttl none      # drop the TTL
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name: letters, digits, _ . - (e.g. user.spend_7d).")
  var name: String

  @Option(
    help: ArgumentHelp("int, double, bool, string, bytes or embedding:DIMS.", valueName: "type"))
  var type: String

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
    guard let valueType = ValueType(parsing: type) else {
      throw CLIError.usage(
        "unknown type '\(type)' for --type: expected int, double, bool, string, bytes or embedding:DIMS"
      )
    }
    let embeddingEncoding = try parseEncoding(for: valueType)
    let newTTL: TimeSpan?? =
      try ttl.map { $0 == "none" ? .none : try TimeArgument.duration($0, option: "--ttl") }
    let store = try global.openStore(.write)
    let output = global.output

    guard let existing = try store.feature(name), existing.type == valueType else {
      var definition = FeatureDefinition(
        name, type: valueType, encoding: embeddingEncoding ?? .float32,
        maxVersions: maxVersions ?? 10, ttl: newTTL ?? nil, description: about ?? "",
        owner: owner ?? "", tags: tags)
      definition = try store.define(definition)  // throws featureTypeConflict for another type
      output.document(.object(Display.json(definition) + [("created", .bool(true))]))
      output.note("defined \(name) (\(summary(definition)))")
      return
    }
    try checkUnchangeable(existing, embeddingEncoding)
    let changesVersions = maxVersions.map { $0 != existing.maxVersions } ?? false
    let changesTTL = newTTL.map { $0 != existing.ttl } ?? false
    var updated = existing
    if changesVersions || changesTTL {
      updated = try store.updateRetention(
        name, maxVersions: changesVersions ? maxVersions : nil, ttl: changesTTL ? newTTL : nil)
    }
    output.document(
      .object(
        Display.json(updated) + [
          ("created", .bool(false)), ("changed", .bool(changesVersions || changesTTL)),
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
    if !changesVersions && !changesTTL {
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

  /// Refuses settings given for an existing feature that cannot change.
  private func checkUnchangeable(_ existing: FeatureDefinition, _ encoding: EmbeddingEncoding?)
    throws
  {
    var differing: [String] = []
    if let encoding, encoding != existing.encoding { differing.append("--encoding") }
    if let about, about != existing.description { differing.append("--description") }
    if let owner, owner != existing.owner { differing.append("--owner") }
    if !tags.isEmpty, tags != existing.tags { differing.append("--tag") }
    guard differing.isEmpty else {
      throw CLIError.usage(
        "feature '\(name)' already exists with other \(differing.joined(separator: ", ")); only --max-versions and --ttl can change"
      )
    }
  }

  private func summary(_ d: FeatureDefinition) -> String {
    var parts = [d.type.description]
    if case .embedding = d.type, d.encoding != .float32 { parts.append(d.encoding.rawValue) }
    parts.append("max versions \(Display.maxVersions(d.maxVersions))")
    if let ttl = d.ttl { parts.append("ttl \(ttl)") }
    return parts.joined(separator: ", ")
  }
}
