extension FeatureStore {
  /// Defines many features in one transaction: all of them or, on any error, none. Each is
  /// defined as ``define(_:)`` would (an existing one with the same type is a no-op). The
  /// catalog is read once, so the cost is linear in the number of definitions (defining them
  /// one by one re-reads the growing catalog each time).
  ///
  /// - Returns: the stored definitions, in order.
  @discardableResult
  public func define(_ definitions: [FeatureDefinition]) throws -> [FeatureDefinition] {
    for d in definitions {
      if let problem = FeatureDefinition.nameProblem(d.name) {
        throw FeatureDBError.invalidFeatureName(d.name, reason: problem)
      }
      try Self.validateSettings(d)
    }
    return try writeTransaction("define") { txn in try define(definitions, txn) }
  }

  /// ``define(_:)-([FeatureDefinition])`` inside `txn` (names and settings already checked).
  func define(_ definitions: [FeatureDefinition], _ txn: borrowing WriteTransaction) throws
    -> [FeatureDefinition]
  {
    let catalog = try catalog(txn)
    var nextID = (catalog.byID.keys.max() ?? 0) + 1
    var added: [String: FeatureDefinition] = [:]
    var result: [FeatureDefinition] = []
    for definition in definitions {
      let existing = catalog.byName[definition.name]?.definition ?? added[definition.name]
      if let existing {
        guard existing.type == definition.type else {
          throw FeatureDBError.featureTypeConflict(
            feature: definition.name, existing: existing.type, requested: definition.type)
        }
        if case .embedding = existing.type, existing.encoding != definition.encoding {
          throw FeatureDBError.invalidDefinition(
            feature: definition.name,
            reason:
              "it is stored as \(existing.encoding.rawValue); the encoding cannot change to \(definition.encoding.rawValue)"
          )
        }
        result.append(existing)
        continue
      }
      var d = definition
      d.createdAt = .now
      try storeDefinition(d, id: nextID, catalog: catalog, txn)
      nextID += 1
      added[d.name] = d
      result.append(d)
    }
    return result
  }
}
