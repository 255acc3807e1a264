extension FeatureStore {
  // MARK: - Writing

  /// Collects writes in `body` and commits them in one transaction: all or none.
  ///
  /// Every version of the batch gets the same write time. Writes are checked against the catalog
  /// before anything is stored; any error leaves the store exactly as it was.
  ///
  /// - Returns: the version written by each operation, in order.
  /// - Throws: ``FeatureDBError`` naming the first bad write.
  @discardableResult
  public func write(_ body: (inout WriteBatch) throws -> Void) throws -> [VersionRef] {
    var batch = WriteBatch()
    try body(&batch)
    return try commit(batch)
  }

  /// Writes one version; see ``write(_:)-b05u``.
  @discardableResult
  public func put(
    _ feature: String, _ entity: String, _ value: FeatureValue, eventTime: Timestamp? = nil,
    lineage: Lineage = .none
  ) throws -> VersionRef {
    try write { $0.put(feature, entity, value, eventTime: eventTime, lineage: lineage) }[0]
  }

  /// Writes one version from a Swift value; see ``write(_:)-b05u``.
  @discardableResult
  public func put<V: FeatureValueConvertible>(
    _ feature: String, _ entity: String, _ value: V, eventTime: Timestamp? = nil,
    lineage: Lineage = .none
  ) throws -> VersionRef {
    try put(feature, entity, value.featureValue, eventTime: eventTime, lineage: lineage)
  }

  /// Writes a tombstone version: reads at or after `eventTime` find no value.
  @discardableResult
  public func delete(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, lineage: Lineage = .none
  ) throws -> VersionRef {
    try write { $0.delete(feature, entity, eventTime: eventTime, lineage: lineage) }[0]
  }

  /// Writes every stored property of `object` as the feature of the same name for `entity`.
  @discardableResult
  public func put<T: Encodable>(
    entity: String, _ object: T, eventTime: Timestamp? = nil, lineage: Lineage = .none
  ) throws -> [VersionRef] {
    try write { try $0.put(entity: entity, object, eventTime: eventTime, lineage: lineage) }
  }

  /// Commits a batch built elsewhere; see ``write(_:)-b05u``.
  @discardableResult
  public func commit(_ batch: WriteBatch) throws -> [VersionRef] {
    if batch.operations.isEmpty && batch.states.isEmpty && batch.checkpoints.isEmpty { return [] }
    for op in batch.operations {
      try validateEntity(op.entity)
      for t in [op.eventTime, batch.eventTime].compactMap({ $0 }) where !t.isValid {
        throw FeatureDBError.timeOutOfRange(
          "event time of '\(op.feature)' entity '\(op.entity)'", t)
      }
    }
    for s in batch.states {
      try validateEntity(s.entity)
      try validateName(s.namespace, "state namespace")
    }
    for c in batch.checkpoints { try validateName(c.name, "checkpoint name") }
    return try writing("write") { context, txn in
      let refs = batch.operations.isEmpty ? [] : try context.apply(batch, txn)
      try context.applyStates(batch, txn)
      return refs
    }
  }

  /// Runs `body` with a new ``WriteContext`` in one write transaction — again from the start if
  /// the map had to grow — and publishes the ids it interned once the transaction committed.
  ///
  /// `prelude` runs first in the same transaction, before the write context reads the catalog
  /// (an import defines its missing features there, so they commit with its rows or not at all);
  /// it returns whether it changed the catalog.
  /// When the transaction fails after the prelude changed the catalog, the catalog cache is
  /// cleared while the writer lock is still held: it may hold the catalog of the aborted
  /// transaction, under a version number a later define will reuse.
  func writing<R>(
    _ operation: String, prelude: (borrowing WriteTransaction) throws -> Bool = { _ in false },
    _ body: (inout WriteContext, borrowing WriteTransaction) throws -> R
  ) throws -> R {
    var committed: WriteContext?
    var changedCatalog = false
    let result: R
    do {
      result = try writeTransaction(operation) { txn in
        do {
          changedCatalog = try prelude(txn) || changedCatalog
          var context = try WriteContext(store: self, txn: txn)
          let result = try body(&context, txn)
          committed = context
          return result
        } catch {
          if changedCatalog { catalogCache.withLock { $0 = nil } }
          throw error
        }
      }
    } catch {
      // The commit itself failed (or a retry did): drop a catalog it may have cached.
      if changedCatalog { catalogCache.withLock { $0 = nil } }
      throw error
    }
    committed?.entities.publish()
    committed?.symbols.publish()
    return result
  }
}
