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
            for p in segUpdate.pieces { seen.insert(p.version) }
            let before = changed.count
            let edited = try edit(seg, &segUpdate, &arena, &changed)
            // Entries whose status changed move the summary's active count.
            let delta = UInt64(changed.count - before)
            if case .retract = mode { summary.active -= delta } else { summary.active += delta }
            return edited
          }
          try segments.edit(only: rest, arena: &arena, editSegment)
          // A hint that missed (a wrong event time) falls back to reading every segment.
          if let rest, !rest.allSatisfy({ seen.contains($0.version) }) {
            try segments.edit(only: nil, arena: &arena, editSegment)
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
      var extra =
        try e.extra.map {
          try LineageExtra.decode(UnsafeRawBufferPointer(rebasing: record[$0]))
        } ?? LineageExtra(inputs: [], note: "")
      let retracted: Bool
      switch mode {
      case .retract(let op, let time):
        guard e.writeTime <= time, covers(e), !extra.statusChanges.contains(op) else { continue }
        extra.statusChanges.append(op)
        retracted = true
      case .restore(let undone, let hides):
        guard covers(e), e.isRetracted, extra.statusChanges.contains(undone) else { continue }
        guard !extra.statusChanges.contains(where: { $0 != undone && hides($0) }) else { continue }
        retracted = false
      }
      if retracted != e.isRetracted { changed.append(e.version) }
      let start = arena.bytes.count
      ChainRecord.rewriteTail(e, record, retracted: retracted, extra: extra.encoded(), to: &arena)
      update.pieces[i].bytes = start..<arena.bytes.count
      update.pieces[i].isNew = true
      update.pieces[i].isRetracted = retracted
      any = true
    }
    return any
  }
}
