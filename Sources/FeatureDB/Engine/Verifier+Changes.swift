extension Verifier {
  /// Every chunk of the change feed decodes, holds as many records as its header says, names
  /// defined features and known entities, and follows the one before it with no gap; the last
  /// one ends at `meta.last_change`.
  func checkChanges(_ catalog: Catalog, _ txn: borrowing ReadTransaction) throws {
    guard let table = store.tables.changes else { return }
    let feed: ChangeFeedState
    do {
      feed = try ChangeFeedState.read(MetaStore(table: store.tables.meta), txn)
    } catch let error as FeatureDBError {
      problem(store.tables.meta, "change feed", error.description)
      return
    }
    var next: UInt64?
    try scan(table, txn) { key, value in
      guard let first = ChangeChunk.sequence(key) else {
        problem(table, "key", "undecodable key")
        return
      }
      let at = "chunk \(first)"
      if let next, first != next {
        problem(table, at, "follows a chunk that ends at \(next - 1)")
      } else if next == nil, first > feed.trimmed + 1 {
        problem(table, at, "changes \(feed.trimmed + 1)…\(first - 1) are missing")
      }
      do {
        let chunk = try ChangeChunk.decode(value, epoch: store.epoch, zstd: store.zstd)
        next = first &+ UInt64(chunk.count)
        try chunk.payload.withUnsafeBytes { payload in
          var reader = ChangeChunk.Reader(payload, epoch: store.epoch) {
            try catalog.feature(id: $0).format
          }
          var count = 0
          while let record = try reader.next() {
            count += 1
            if record.kind != .defined { _ = try store.entityTable.name(record.entity, txn) }
          }
          if count != chunk.count {
            problem(table, at, "holds \(count) records; its header says \(chunk.count)")
          }
        }
      } catch let error as DecodeError {
        problem(table, at, error.description)
      } catch let error as FeatureDBError {
        problem(table, at, error.description)
      }
    }
    let end = (next ?? feed.trimmed + 1) - 1
    if end != feed.last, next != nil || feed.trimmed != feed.last {
      problem(table, "last chunk", "ends at change \(end); meta last_change is \(feed.last)")
    }
  }
}
