extension FeatureStore {
  // MARK: - Reading

  /// Runs `body` with a consistent ``Snapshot`` of the store; use it for many reads.
  ///
  /// - Warning: do not write to the store from inside `body`.
  public func read<R>(_ body: (borrowing Snapshot) throws -> R) throws -> R {
    try readTransaction { txn in
      let snapshot = Snapshot(
        handle: txn.handle, store: self, catalog: try snapshotCatalog(txn), now: .now)
      return try body(snapshot)
    }
  }

  /// The latest value of `feature` for `entity`; see ``Snapshot/latest(_:_:)``.
  public func latest(_ feature: String, _ entity: String) throws -> FeatureValue? {
    try read { try $0.latest(feature, entity) }
  }

  /// The latest value as `T` (`Double`, `Int`, `String`, `Bool`, `[Float]`, `[UInt8]`).
  public func latest<T: FeatureValueConvertible>(
    _ feature: String, _ entity: String, as type: T.Type
  ) throws -> T? {
    try read { try $0.latest(feature, entity, as: type) }
  }

  /// The latest version with metadata and lineage; see ``Snapshot/latestVersion(_:_:)``.
  public func latestVersion(_ feature: String, _ entity: String) throws -> Version? {
    try read { try $0.latestVersion(feature, entity) }
  }

  /// Point-in-time and bi-temporal reads; see ``Snapshot/asOf(_:_:eventTime:writeTime:)``.
  public func asOf(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, writeTime: Timestamp? = nil
  ) throws
    -> FeatureValue?
  {
    try read { try $0.asOf(feature, entity, eventTime: eventTime, writeTime: writeTime) }
  }

  /// ``asOf(_:_:eventTime:writeTime:)-maji`` as `T`.
  public func asOf<T: FeatureValueConvertible>(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, writeTime: Timestamp? = nil,
    as type: T.Type
  ) throws -> T? {
    try read { try $0.asOf(feature, entity, eventTime: eventTime, writeTime: writeTime, as: type) }
  }

  /// The version an as-of read selects, with metadata and lineage.
  public func asOfVersion(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, writeTime: Timestamp? = nil
  ) throws -> Version? {
    try read { try $0.asOfVersion(feature, entity, eventTime: eventTime, writeTime: writeTime) }
  }

  /// Retained versions, newest first; see ``Snapshot/history(_:_:limit:includeRetracted:)``.
  public func history(
    _ feature: String, _ entity: String, limit: Int? = nil, includeRetracted: Bool = false
  ) throws -> [Version] {
    try read {
      try $0.history(feature, entity, limit: limit, includeRetracted: includeRetracted)
    }
  }

  /// Latest values of `features` × `entities` in one read transaction.
  public func latest(features: [String], entities: [String]) throws -> [[FeatureValue?]] {
    try read { try $0.latest(features: features, entities: entities) }
  }

  /// Decodes a `Decodable` struct from the latest features of `entity`.
  public func read<T: Decodable>(_ type: T.Type, entity: String) throws -> T {
    try read { try $0.read(type, entity: entity) }
  }

  // MARK: - Transactions

  func readTransaction<R>(_ body: (borrowing ReadTransaction) throws -> R) throws -> R {
    try lmdb("read") { try env.read(body) }
  }

  /// Runs `body` in a write transaction (replayed from the start if the map grows).
  ///
  /// When the map is full at its maximum size, LMDB may still hold free pages it will not hand
  /// out yet: pages freed by a transaction are reused only from the second transaction after it
  /// (the last committed snapshot must stay intact). After a vacuum or prune that freed space in
  /// a full store, every later write would fail and, failing, never commit the transaction that
  /// releases those pages. So a write that finds the store full commits one minimal transaction
  /// (``settle()``) and is retried once before ``FeatureDBError/storeFull(path:mapSize:)`` is
  /// thrown.
  func writeTransaction<R>(_ operation: String, _ body: (borrowing WriteTransaction) throws -> R)
    throws -> R
  {
    guard !options.readOnly else { throw FeatureDBError.readOnly(path: path) }
    do {
      return try lmdb(operation) { try env.write(body) }
    } catch FeatureDBError.storeFull(let path, let mapSize) {
      guard settle() else { throw FeatureDBError.storeFull(path: path, mapSize: mapSize) }
      return try lmdb(operation) { try env.write(body) }
    }
  }

  /// Commits a transaction that changes nothing but still counts (it rewrites meta `magic` with
  /// the same bytes, which dirties one page), so pages freed by the last commit become reusable.
  /// False when even that does not fit.
  private func settle() -> Bool {
    do {
      try env.write { txn in try MetaStore(table: tables.meta).set(txn, .magic, MetaStore.magic) }
      return true
    } catch {
      return false
    }
  }
}
