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
  public var description: String
  public var owner: String
  /// When it was first defined (set by the store).
  public var createdAt: Timestamp?

  public init(_ name: String, features: [String], description: String = "", owner: String = "") {
    self.name = name
    self.features = features
    self.description = description
    self.owner = owner
  }
}
