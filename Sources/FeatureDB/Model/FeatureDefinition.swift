/// A feature in the catalog: its name, value type and retention settings.
///
/// ```swift
/// try db.define(FeatureDefinition("user.spend_7d", type: .double, maxVersions: 5, ttl: .days(7)))
/// ```
public struct FeatureDefinition: Hashable, Sendable, Codable {
  /// Letters, digits, `_`, `.`, `-`; 1 to 200 characters; e.g. `user.login_frequency_1h`.
  public var name: String
  /// The value type, fixed when the feature is first defined.
  public var type: ValueType
  /// How embedding vectors are stored (ignored for other types).
  public var encoding: EmbeddingEncoding
  /// Active versions kept per (feature, entity); 0 keeps every version.
  public var maxVersions: Int
  /// A version is visible at time T while `T ≤ eventTime + ttl`; nil never expires.
  public var ttl: TimeSpan?
  /// Free text describing the feature.
  public var description: String
  /// Who owns the feature (a person or team); free text.
  public var owner: String
  /// Free-form labels.
  public var tags: [String]
  /// Set by the store when the feature is first defined.
  public internal(set) var createdAt: Timestamp
  /// Set by vacuum: the latest expiry time of a version it removed. As-of reads at or before
  /// it may need removed history (they say so rather than answer wrongly).
  public internal(set) var vacuumHorizon: Timestamp?
  /// Set by ``FeatureStore/trainDictionary(feature:maxSamples:capacity:)``: the zstd dictionary
  /// new values are compressed with.
  public internal(set) var dictionary: UInt64?

  /// Describes a feature to pass to ``FeatureStore/define(_:)->FeatureDefinition``; every
  /// setting but the name and type has a default (float32 embeddings, 10 versions kept, no TTL).
  public init(
    _ name: String, type: ValueType, encoding: EmbeddingEncoding = .float32, maxVersions: Int = 10,
    ttl: TimeSpan? = nil, description: String = "", owner: String = "", tags: [String] = []
  ) {
    self.name = name
    self.type = type
    self.encoding = encoding
    self.maxVersions = maxVersions
    self.ttl = ttl
    self.description = description
    self.owner = owner
    self.tags = tags
    self.createdAt = Timestamp(microseconds: 0)
  }

  /// Longest feature name accepted.
  public static let maxNameLength = 200

  /// Why `name` is not a valid feature name, or nil when it is.
  static func nameProblem(_ name: String) -> String? {
    if name.isEmpty { return "is empty" }
    if name.utf8.count > maxNameLength { return "is longer than \(maxNameLength) bytes" }
    for c in name.unicodeScalars {
      let ok =
        (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || (c >= "0" && c <= "9")
        || c == "_" || c == "." || c == "-"
      if !ok { return "contains \"\(c)\" (allowed: letters, digits, _ . -)" }
    }
    return nil
  }
}
