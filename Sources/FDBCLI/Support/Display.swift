import FeatureDB

/// How engine values look on the command line: as text for people and as JSON (the JSON forms
/// are public: the HTTP server answers with the same documents as `--json`).
public enum Display {
  /// A value for people, cut to `limit` characters (with `…` and, for embeddings, the dims)
  /// when given. Tables and `key  value` lines escape its control characters
  /// (`DisplayText.oneLine`) when they print it.
  public static func text(_ value: FeatureValue, limit: Int? = nil) -> String {
    let text = value.description
    guard let limit, text.count > limit else { return text }
    let suffix = value.embedding.map { "… (\($0.count) dims)" } ?? "…"
    return String(text.prefix(max(1, limit - suffix.count))) + suffix
  }

  /// A value for people, or `(deleted)` for a tombstone.
  public static func text(_ value: FeatureValue?, limit: Int? = nil) -> String {
    value.map { text($0, limit: limit) } ?? "(deleted)"
  }

  /// A byte count for people: `512 B`, `4.0 KiB`, `1.5 MiB`.
  static func bytes(_ n: Int) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = Double(n)
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
      value /= 1024
      unit += 1
    }
    if unit == 0 { return "\(n) B" }
    let rounded = (value * 10).rounded() / 10
    return "\(rounded) \(units[unit])"
  }

  /// `1 version`, `2 versions`.
  static func count(_ n: Int, _ noun: String, plural: String? = nil) -> String {
    "\(n) \(n == 1 ? noun : plural ?? noun + "s")"
  }

  /// `-` for an empty or missing text (table cells).
  static func dash(_ text: String?) -> String {
    guard let text, !text.isEmpty else { return "-" }
    return text
  }

  // MARK: - JSON

  /// A value as JSON: numbers, booleans, strings, bytes as a `0x…` string, embeddings as arrays.
  public static func json(_ value: FeatureValue) -> JSON {
    switch value {
    case .int(let v): .int(v)
    case .double(let v): .double(v)
    case .bool(let v): .bool(v)
    case .string(let v): .string(v)
    case .bytes: .string(value.description)
    case .embedding(let v): .array(v.map { JSON.float($0) })
    }
  }

  /// A time as an ISO-8601 string, or null.
  public static func json(_ time: Timestamp?) -> JSON { .optional(time) { .string($0.iso8601) } }

  /// A string, or null.
  public static func json(_ text: String?) -> JSON { .optional(text) { .string($0) } }

  /// Lineage as JSON fields: producer, run, source, inputs, note.
  public static func json(_ lineage: Lineage) -> [(String, JSON)] {
    [
      ("producer", json(lineage.producer)),
      ("run", json(lineage.run)),
      ("source", json(lineage.source)),
      ("inputs", .array(lineage.inputs.map { .string(LineageArgument.text($0)) })),
      ("note", json(lineage.note)),
    ]
  }

  /// A version with its metadata and lineage; `ttl` decides `expired` at `now`.
  public static func json(_ v: Version, ttl: TimeSpan?, now: Timestamp) -> JSON {
    .object(
      [
        ("feature", .string(v.feature)),
        ("entity", .string(v.entity)),
        ("version", .int(v.version)),
        ("value", .optional(v.value, json)),
        ("deleted", .bool(v.isTombstone)),
        ("eventTime", json(v.eventTime)),
        ("writeTime", json(v.writeTime)),
        ("status", .string(v.status.rawValue)),
        ("retractedBy", .optional(v.retractedBy) { .int($0) }),
        ("expired", .bool(isExpired(v, ttl: ttl, now: now))),
      ] + json(v.lineage))
  }

  /// A definition's settings as JSON fields.
  public static func json(_ d: FeatureDefinition) -> [(String, JSON)] {
    var fields: [(String, JSON)] = [
      ("name", .string(d.name)), ("type", .string(d.type.description)),
    ]
    if case .embedding = d.type { fields.append(("encoding", .string(d.encoding.rawValue))) }
    return fields + [
      ("maxVersions", .int(d.maxVersions)),
      ("ttl", .optional(d.ttl) { .string($0.description) }),
      ("description", .string(d.description)),
      ("owner", .string(d.owner)),
      ("tags", .array(d.tags.map { .string($0) })),
      ("createdAt", json(d.createdAt)),
      ("vacuumHorizon", json(d.vacuumHorizon)),
    ]
  }

  /// Per-feature figures as JSON fields (zeros when the store has none for the feature).
  static func json(_ s: FeatureStats?) -> [(String, JSON)] {
    [
      ("entities", .int(s?.entities ?? 0)), ("versions", .int(s?.versions ?? 0)),
      ("active", .int(s?.active ?? 0)), ("expired", .int(s?.expired ?? 0)),
      ("pruned", .int(s?.pruned ?? 0)), ("vacuumed", .int(s?.vacuumed ?? 0)),
      ("bytes", .int(s?.bytes ?? 0)),
    ]
  }

  // MARK: - Facts

  /// True when `v`'s TTL has passed at `now` (valid while `now ≤ eventTime + ttl`).
  static func isExpired(_ v: Version, ttl: TimeSpan?, now: Timestamp) -> Bool {
    guard let ttl else { return false }
    let (expiry, overflow) = v.eventTime.microseconds.addingReportingOverflow(ttl.microseconds)
    return !overflow && expiry < now.microseconds
  }

  /// `active`, `expired` or `retracted`, for people.
  static func status(_ v: Version, ttl: TimeSpan?, now: Timestamp) -> Table.Cell {
    if v.status == .retracted { return Table.Cell("retracted", .red) }
    if isExpired(v, ttl: ttl, now: now) { return Table.Cell("expired", .yellow) }
    return Table.Cell("active", .green)
  }

  /// `maxVersions` for people: `0` is `unlimited`.
  static func maxVersions(_ n: Int) -> String { n == 0 ? "unlimited" : String(n) }
}
