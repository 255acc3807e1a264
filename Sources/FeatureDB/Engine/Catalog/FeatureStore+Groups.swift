import Foundation

/// A group as stored in `groups` (JSON; docs/format.md).
private struct StoredGroup: Codable {
  var name: String
  var features: [String]
  var description: String
  var owner: String
  var createdAtMicroseconds: Int64

  var group: FeatureGroup {
    var g = FeatureGroup(name, features: features, description: description, owner: owner)
    g.createdAt = Timestamp(microseconds: createdAtMicroseconds)
    return g
  }
}

extension FeatureStore {
  // MARK: - Feature groups

  /// Defines a feature group, or replaces the features, description and owner of an existing
  /// one (its creation time stays).
  ///
  /// - Throws: ``FeatureDBError/invalidFeatureName(_:reason:)`` for a bad group name,
  ///   ``FeatureDBError/unknownFeature(_:)`` for a feature that is not defined,
  ///   ``FeatureDBError/invalidArgument(_:)`` for no features or a feature listed twice.
  @discardableResult
  public func defineGroup(_ group: FeatureGroup) throws -> FeatureGroup {
    if let problem = FeatureDefinition.nameProblem(group.name) {
      throw FeatureDBError.invalidFeatureName(group.name, reason: problem)
    }
    guard !group.features.isEmpty else {
      throw FeatureDBError.invalidArgument("group '\(group.name)' needs at least one feature")
    }
    if let twice = group.features.first(where: { f in group.features.count { $0 == f } > 1 }) {
      throw FeatureDBError.invalidArgument("group '\(group.name)' lists '\(twice)' twice")
    }
    return try writeTransaction("define group") { txn in
      let catalog = try catalog(txn)
      for f in group.features { _ = try catalog.feature(f) }
      let table = try tables.lineage().groups
      let created = try groupRecord(group.name, txn)?.createdAt ?? .now
      let stored = StoredGroup(
        name: group.name, features: group.features, description: group.description,
        owner: group.owner, createdAtMicroseconds: created.microseconds)
      try table.put(txn, key: Array(group.name.utf8), value: StoredJSON.encode(stored))
      return stored.group
    }
  }

  /// The group named `name`, or nil.
  public func group(_ name: String) throws -> FeatureGroup? {
    try readTransaction { try groupRecord(name, $0) }
  }

  /// Every group, by name.
  public func groups() throws -> [FeatureGroup] {
    try readTransaction { txn in
      guard let table = tables.v2?.groups else { return [] }
      var out: [FeatureGroup] = []
      let cursor = try Cursor(table, txn)
      var entry = try cursor.first()
      while let (_, value) = entry {
        out.append(try Self.decodeGroup(value))
        entry = try cursor.next()
      }
      return out
    }
  }

  func groupRecord(_ name: String, _ txn: borrowing some Transaction & ~Copyable) throws
    -> FeatureGroup?
  {
    guard let table = tables.v2?.groups, !name.isEmpty, name.utf8.count <= 200 else { return nil }
    return try Array(name.utf8).withUnsafeBytes { k in
      try table.withValue(txn, key: k) { v in try v.map(Self.decodeGroup) }
    }
  }

  static func decodeGroup(_ bytes: UnsafeRawBufferPointer) throws -> FeatureGroup {
    try StoredJSON.decode(StoredGroup.self, bytes, table: "groups", what: "group").group
  }
}

extension Snapshot {
  /// The features of group `name`, in its order.
  ///
  /// - Throws: ``FeatureDBError/unknownGroup(_:)``.
  public func features(ofGroup name: String) throws -> [String] {
    guard let g = try store.groupRecord(name, self) else { throw FeatureDBError.unknownGroup(name) }
    return g.features
  }

  /// Latest values of a group's features for one entity, in the group's order.
  public func latest(group: String, entity: String) throws -> [FeatureValue?] {
    try latest(features: try features(ofGroup: group), entity: entity)
  }
}
