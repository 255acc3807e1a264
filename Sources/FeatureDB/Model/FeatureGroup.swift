/// A named set of features a model consumes together (a feature service, in Feast's words):
/// usable wherever a feature list is.
///
/// ```swift
/// try db.defineGroup(FeatureGroup("fraud.v2", features: ["user.spend_7d", "user.risk"]))
/// let row = try db.read { try $0.latest(group: "fraud.v2", entity: "u1") }
/// ```
public struct FeatureGroup: Hashable, Sendable {
  /// The name (the feature-name rule: letters, digits, `_`, `.`, `-`).
  public var name: String
  /// Feature names, in column order.
  public var features: [String]
  /// Free text describing the group.
  public var description: String
  /// Who owns the group; free text.
  public var owner: String
  /// When it was first defined (set by the store).
  public var createdAt: Timestamp?

  /// Describes a group to pass to ``FeatureStore/defineGroup(_:)``.
  public init(_ name: String, features: [String], description: String = "", owner: String = "") {
    self.name = name
    self.features = features
    self.description = description
    self.owner = owner
  }
}
