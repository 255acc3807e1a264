/// An entity and the event time its features are wanted at: one row of a point-in-time read
/// (a label row of a training set).
public struct EntityRow: Hashable, Sendable {
  /// The entity id.
  public var entity: String
  /// The event time T the row's features are read as of.
  public var eventTime: Timestamp

  /// A row for `entity` at event time `eventTime`.
  public init(_ entity: String, _ eventTime: Timestamp) {
    self.entity = entity
    self.eventTime = eventTime
  }
}

/// An ``EntityRow`` with the values of the features it was read with, as of its event time.
public struct PointInTimeRow: Hashable, Sendable {
  /// The entity id of the input row.
  public var entity: String
  /// The event time of the input row.
  public var eventTime: Timestamp
  /// One value per feature, in the order the features were given; nil when the feature had no
  /// value at the row's time (none yet, deleted, expired) or, with `allowMissingHistory`, when
  /// its history was removed (see ``missingHistory``).
  public var values: [FeatureValue?]
  /// The cells whose answer needs history that pruning or vacuum removed (their value is nil).
  /// Always empty unless `allowMissingHistory` is set: otherwise such a cell throws.
  public var missingHistory: [MissingHistoryCell]

  /// The value of `feature`, when it is one of the features read (nil otherwise or when empty).
  public func value(_ feature: String, in features: [String]) -> FeatureValue? {
    features.firstIndex(of: feature).flatMap { values[$0] }
  }
}

extension Snapshot {
  // MARK: - Point-in-time reads

  /// Reads each row's features as of the row's own event time, the point-in-time rule of
  /// ``asOf(_:_:eventTime:writeTime:)`` and of ``FeatureStore/exportPointInTime(entityRows:entityColumn:timestampColumn:to:options:)``
  /// (TTL included), and hands the rows to `body` one at a time, in input order: memory stays
  /// bounded however many rows `rows` produces (it may be a lazy sequence).
  ///
  /// ```swift
  /// let labels = [EntityRow("u1", jan5), EntityRow("u2", jan6)]
  /// try db.read { snap in
  ///   try snap.pointInTime(features: ["user.spend_7d", "user.segment"], rows: labels) { row in
  ///     print(row.entity, row.eventTime, row.values)
  ///   }
  /// }
  /// ```
  ///
  /// - Parameters:
  ///   - features: the features to read, in the order of each row's `values`.
  ///   - rows: the (entity, event time) rows; duplicates stay duplicated.
  ///   - writeTime: read what the store knew at write time W (nil: everything this snapshot
  ///     sees); the same W later gives the same rows, whatever was written since.
  ///   - allowMissingHistory: give cells whose history pruning or vacuum removed as nil (listed
  ///     in ``PointInTimeRow/missingHistory``) instead of throwing.
  ///   - body: called once per row.
  /// - Throws: ``FeatureDBError/unknownFeature(_:)``; ``FeatureDBError/historyPruned(feature:entity:removed:)``
  ///   or ``FeatureDBError/historyVacuumed(feature:entity:removed:)`` for the first cell that
  ///   needs removed history (unless `allowMissingHistory`); ``FeatureDBError/timeOutOfRange(_:_:)``;
  ///   and whatever `body` throws (which ends the read).
  public func pointInTime<Rows: Sequence<EntityRow>>(
    features: [String], rows: Rows, writeTime: Timestamp? = nil,
    allowMissingHistory: Bool = false, _ body: (PointInTimeRow) throws -> Void
  ) throws {
    let fs = try features.map { try catalog.feature($0) }
    var reader = try ExportRowReader(self, fs, ExportOptions(features: features))
    for row in rows {
      let query = try query(eventTime: row.eventTime, writeTime: writeTime)
      let entityID = row.entity.isEmpty ? nil : try store.entityTable.lookup(row.entity, self)
      let (values, _, missing) = try reader.values(
        self, entity: row.entity, entityID: entityID, query)
      if let first = missing.first, !allowMissingHistory { throw first.error }
      try body(
        PointInTimeRow(
          entity: row.entity, eventTime: row.eventTime, values: values,
          missingHistory: missing.map { i, error in
            MissingHistoryCell(
              feature: fs[i].name, entity: row.entity, eventTime: row.eventTime,
              removedBy: { if case .historyVacuumed = error { .vacuum } else { .pruning } }())
          }))
    }
  }

  /// ``pointInTime(features:rows:writeTime:allowMissingHistory:_:)`` collected into an array, in
  /// input order.
  public func pointInTime<Rows: Sequence<EntityRow>>(
    features: [String], rows: Rows, writeTime: Timestamp? = nil, allowMissingHistory: Bool = false
  ) throws -> [PointInTimeRow] {
    var out: [PointInTimeRow] = []
    out.reserveCapacity(rows.underestimatedCount)
    try pointInTime(
      features: features, rows: rows, writeTime: writeTime,
      allowMissingHistory: allowMissingHistory
    ) { out.append($0) }
    return out
  }
}

extension FeatureStore {
  /// Point-in-time values of `features` for every row, in one read snapshot, collected in input
  /// order: a training set in memory, with the same rule and the same honesty about removed
  /// history as ``exportPointInTime(entityRows:entityColumn:timestampColumn:to:options:)``.
  ///
  /// ```swift
  /// let rows = try db.pointInTime(
  ///   features: ["user.spend_7d"], rows: [EntityRow("u1", .now - .days(1))])
  /// let spend = rows[0].values[0]?.double
  /// ```
  ///
  /// For more rows than fit in memory, pass a lazy sequence and a closure:
  /// ``pointInTime(features:rows:writeTime:allowMissingHistory:_:)``.
  ///
  /// - Throws: see ``Snapshot/pointInTime(features:rows:writeTime:allowMissingHistory:_:)``.
  public func pointInTime<Rows: Sequence<EntityRow>>(
    features: [String], rows: Rows, writeTime: Timestamp? = nil, allowMissingHistory: Bool = false
  ) throws -> [PointInTimeRow] {
    try read { snap in
      try snap.pointInTime(
        features: features, rows: rows, writeTime: writeTime,
        allowMissingHistory: allowMissingHistory)
    }
  }

  /// Streams point-in-time rows to `body` one at a time from one read snapshot; memory stays
  /// bounded whatever the number of rows.
  ///
  /// ```swift
  /// let labels = try readLabels()  // any Sequence<EntityRow>, e.g. lazily parsed
  /// try db.pointInTime(features: ["user.spend_7d"], rows: labels) { row in
  ///   try sink.append(row.values)
  /// }
  /// ```
  ///
  /// - Warning: the read snapshot stays open while `body` runs: keep `body` quick, or old pages
  ///   cannot be reused meanwhile.
  /// - Throws: see ``Snapshot/pointInTime(features:rows:writeTime:allowMissingHistory:_:)``.
  public func pointInTime<Rows: Sequence<EntityRow>>(
    features: [String], rows: Rows, writeTime: Timestamp? = nil,
    allowMissingHistory: Bool = false, _ body: (PointInTimeRow) throws -> Void
  ) throws {
    try read { snap in
      try snap.pointInTime(
        features: features, rows: rows, writeTime: writeTime,
        allowMissingHistory: allowMissingHistory, body)
    }
  }
}
