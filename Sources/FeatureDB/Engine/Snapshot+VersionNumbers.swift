extension Snapshot {
  // MARK: - Version numbers

  /// The highest version number of each of `features` for `entity`, in the order given (0 for
  /// a feature never written for it): the next write of a feature gets this number + 1.
  /// Retracted and pruned versions count, since numbers are never reused.
  ///
  /// ```swift
  /// let numbers = try db.read { try $0.highestVersions(features: ["f", "g"], entity: "u1") }
  /// ```
  /// - Throws: ``FeatureDBError/unknownFeature(_:)``,
  ///   ``FeatureDBError/corruptStore(table:detail:)`` for a chain record that does not decode.
  public func highestVersions(features: [String], entity: String) throws -> [UInt64] {
    let fs = try features.map { try catalog.feature($0) }
    guard let entityID = try entityID(entity) else { return fs.map { _ in 0 } }
    return try fs.map { try store.nextVersion(entity: entityID, feature: $0, self) - 1 }
  }
}
