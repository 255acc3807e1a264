extension Snapshot {
  /// The rollback operations that hide entry `e` of (entity, feature) from a read at write
  /// time `writeTime` (nil: now); empty when it is visible.
  ///
  /// The entry's retracted bit is its status once every retraction is applied. A read at an
  /// earlier time, or while a rollback or undo is still being applied, replays the operations
  /// the entry lists and the pending rules that cover it against the operations log.
  func retractions(
    _ e: ChainRecord.Entry, _ reader: ChainRecord.Reader, entity: UInt64, feature: UInt64,
    at writeTime: Int64?
  ) throws -> [UInt64] {
    let state = catalog.retractions
    if !state.hasPending && writeTime == nil && !e.isRetracted { return [] }
    var ops: [UInt64] = []
    if let range = e.extra {
      ops = try LineageExtra.decode(UnsafeRawBufferPointer(rebasing: reader.buffer[range]))
        .statusChanges
    }
    if state.hasPending {
      _ = try state.anyPending(
        e, entity: entity, feature: feature,
        lists: { try lists($0, entity: entity, feature: feature, version: e.version) },
        matching: { op in
          ops.append(op)
          return false
        })
    }
    let w = writeTime ?? .max
    return ops.filter { state.hides($0, at: w) }
  }

  /// Whether entry `e` is hidden by a rollback from a read at `writeTime` (nil: now).
  func isRetracted(
    _ e: ChainRecord.Entry, _ reader: ChainRecord.Reader, entity: UInt64, feature: UInt64,
    at writeTime: Int64?
  ) throws -> Bool {
    let state = catalog.retractions
    if writeTime == nil {
      // A read of now: the retracted bit, unless a pending rollback may not have set it yet or
      // a pending undo may not have cleared it. (A clear bit means every listed rollback was
      // undone.)
      if !e.isRetracted {
        return try state.hasPending
          && state.anyPending(
            e, entity: entity, feature: feature,
            lists: { try lists($0, entity: entity, feature: feature, version: e.version) },
            matching: { state.hides($0, at: .max) })
      }
      if !state.hasPendingUndo { return true }
    }
    return try !retractions(e, reader, entity: entity, feature: feature, at: writeTime).isEmpty
  }

  /// Whether pending operation `op` lists version `version` of (entity, feature).
  private func lists(_ op: UInt64, entity: UInt64, feature: UInt64, version: UInt64) throws
    -> Bool
  {
    guard let table = store.tables.v2?.retractions else { return false }
    return try Keys.ids(op, entity, feature, version).withUnsafeBytes { k in
      try table.withValue(self, key: k) { $0 != nil }
    }
  }
}
