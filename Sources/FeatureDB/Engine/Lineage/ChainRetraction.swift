/// Applies one operation to the entries of one chain (head and segments): a rollback appends
/// its id to each covered entry's retraction list and sets the retracted bit; an undo clears
/// the bit of the entries its rollback retracted, unless another rollback still hides them.
/// Entries keep their event time and version, so segment keys never change.
struct ChainRetraction {
  enum Mode {
    /// Retract entries `covers` selects and written at or before `time`, as operation `op`.
    case retract(op: UInt64, time: Int64)
    /// Restore entries retracted by `undone`; `hides` says whether another listed operation
    /// still hides an entry.
    case restore(undone: UInt64, hides: (UInt64) -> Bool)
  }

  let store: FeatureStore
  let feature: Feature
  let entity: UInt64
  let mode: Mode
  /// Which entries the operation names (for a restore: every entry is checked).
  let covers: (ChainRecord.Entry) -> Bool

  /// Applies the operation; `only` names the (eventTime, version) of the covered entries when
  /// known (else every segment is read). Returns the versions whose status changed.
  func apply(only: [(eventTime: Int64, version: UInt64)]?, _ txn: borrowing WriteTransaction)
    throws -> [UInt64]
  {
    let key = Keys.chain(entity: entity, feature: feature.id)
    guard let head = try store.tables.chains.get(txn, key: key) else { return [] }
    var changed: [UInt64] = []
    var arena = ByteWriter(capacity: 1024)
    var update = ChainUpdate()
    var record = ByteWriter(capacity: 4096)
    try head.withUnsafeBytes { old in
      try update.reset(old: old, format: feature.format, epoch: store.epoch)
      var headChanged = try edit(old, &update, &arena, &changed)
      if var summary = update.header.segments {
        let inHead = Set(update.pieces.map(\.version))
        let rest = only?.filter { !inHead.contains($0.version) }
        if rest?.isEmpty != true {
          var segments = try ChainSegments(
            store.tables.lineage().segments, chainKey: key, format: feature.format,
            epoch: store.epoch, txn)
          var seen: Set<UInt64> = []
          let editSegment = {
            (seg: UnsafeRawBufferPointer, segUpdate: inout ChainUpdate, arena: inout ByteWriter)
              throws -> Bool in
            if rest != nil { for p in segUpdate.pieces { seen.insert(p.version) } }
            let before = changed.count
            let edited = try edit(seg, &segUpdate, &arena, &changed)
            // Entries whose status changed move the summary's active count.
            let delta = UInt64(changed.count - before)
            if case .retract = mode { summary.active -= delta } else { summary.active += delta }
            return edited
          }
          try segments.edit(only: rest, arena: &arena, wanted: selectsAny, editSegment)
          // A hint that missed (a wrong event time) falls back to reading every segment.
          if let rest, !rest.allSatisfy({ seen.contains($0.version) }) {
            try segments.edit(only: nil, arena: &arena, wanted: selectsAny, editSegment)
          }
          if summary != update.header.segments! {
            update.header.segments = summary
            headChanged = true
          }
        }
      }
      guard headChanged else { return }
      update.encode(old: old, arena: arena.bytes, into: &record)
    }
    if !record.bytes.isEmpty { try store.tables.chains.put(txn, key: key, value: record.bytes) }
    return changed
  }

  /// Whether the operation may change entry `e`: what it covers, before the entry's status list
  /// is read.
  private func selects(_ e: ChainRecord.Entry) -> Bool {
    switch mode {
    case .retract(_, let time): e.writeTime <= time && covers(e)
    case .restore: e.isRetracted && covers(e)
    }
  }

  /// Whether the operation may change an entry of `record` (a segment read in place: one that
  /// holds none is neither copied nor rewritten).
  private func selectsAny(_ record: UnsafeRawBufferPointer) throws -> Bool {
    var reader = try ChainRecord.Reader(record, format: feature.format, epoch: store.epoch)
    while let e = try reader.next() {
      if selects(e) { return true }
    }
    return false
  }

  /// Edits the entries of one record (loaded into `update`); returns whether any changed.
  private func edit(
    _ record: UnsafeRawBufferPointer, _ update: inout ChainUpdate, _ arena: inout ByteWriter,
    _ changed: inout [UInt64]
  ) throws -> Bool {
    var reader = try ChainRecord.Reader(record, format: feature.format, epoch: store.epoch)
    var i = 0
    var any = false
    while let e = try reader.next() {
      defer { i += 1 }
      guard selects(e) else { continue }
      let status = try LineageStatusList(
        e.extra.map { UnsafeRawBufferPointer(rebasing: record[$0]) })
      let retracted: Bool
      let added: UInt64?
      switch mode {
      case .retract(let op, _):
        guard !status.contains(op) else { continue }
        (retracted, added) = (true, op)
      case .restore(let undone, let hides):
        guard status.contains(undone) else { continue }
        guard !status.contains(where: { $0 != undone && hides($0) }) else { continue }
        (retracted, added) = (false, nil)
      }
      if retracted != e.isRetracted { changed.append(e.version) }
      let start = arena.bytes.count
      ChainRecord.rewriteTail(
        e, record, retracted: retracted, status: status, adding: added, to: &arena)
      update.pieces[i].bytes = start..<arena.bytes.count
      update.pieces[i].isNew = true
      update.pieces[i].isRetracted = retracted
      any = true
    }
    return any
  }
}
