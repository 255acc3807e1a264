/// Applies a batch's new versions of one (feature, entity) to its chain: the head record in
/// `chains` and, for long histories, its segments.
struct ChainEdit {
  let store: FeatureStore
  let feature: Feature
  let key: [UInt8]
  let arena: [UInt8]
  /// The batch's write time.
  let writeTime: Int64
  let placement: PutFlags

  /// Adds the versions of `group` (numbering them into `versions`), prunes to `maxVersions`,
  /// moves the head's oldest entries to a new segment when it is full, and writes the head
  /// through `cursor`. Returns the pruned versions (new ones included).
  ///
  /// `old` must stay valid until the head is written: the caller passes a copy when the head
  /// has segments, since segments change before the head is written.
  func apply(
    _ group: ArraySlice<WriteContext.Prepared>, old: UnsafeRawBufferPointer?,
    versions: inout [UInt64], _ update: inout ChainUpdate, _ record: inout ByteWriter,
    through cursor: borrowing Cursor, _ txn: borrowing WriteTransaction
  ) throws -> [ChainUpdate.Piece] {
    try update.reset(old: old, format: feature.format, epoch: store.epoch)
    for p in group {
      versions[p.index] = update.add(
        eventTime: p.eventTime, writeTime: writeTime, isExternal: p.isExternal, tail: p.tail)
    }
    let fromSegments = update.segmentsToPrune(maxVersions: feature.maxVersions)
    var pruned = update.prune(
      maxVersions: feature.maxVersions,
      segmentActive: Int(clamping: update.header.segments?.active ?? 0))
    if !update.late.isEmpty || fromSegments > 0 {
      var segments = try segmentsEditor(txn)
      try segments.insert(update.late, arena: arena)
      let removed = try segments.pruneOldest(fromSegments, arena: arena)
      for p in removed {
        ChainRecord.RemovedRange.add(
          p.eventTime, writeTime: p.writeTime, to: &update.header.pruned)
      }
      pruned += removed
    }
    // `old` may point into the map: encode everything read from it before writing.
    let newSegments = update.spill().map {
      ChainSegments.encode($0, chainKey: key, head: old, arena: arena)
    }
    update.encode(old: old, arena: arena, into: &record)
    try key.withUnsafeBytes { k in
      try record.bytes.withUnsafeBytes { v in try cursor.put(key: k, value: v, flags: placement) }
    }
    if !newSegments.isEmpty { try segmentsEditor(txn).write(newSegments) }
    return pruned
  }

  private func segmentsEditor(_ txn: borrowing WriteTransaction) throws -> ChainSegments {
    try ChainSegments(
      store.tables.lineage().segments, chainKey: key, format: feature.format,
      epoch: store.epoch, txn)
  }
}
