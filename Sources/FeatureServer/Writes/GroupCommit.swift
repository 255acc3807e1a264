import FeatureDB
import Synchronization

/// Commits the writes of concurrent requests together (group commit): while one transaction
/// commits, the requests that arrive queue up, and the next transaction holds all of them.
///
/// A request's rows always commit in one transaction (with, perhaps, other requests' rows),
/// each request with its own lineage. When a combined transaction fails, each of its requests
/// is committed alone, so only the request at fault gets the error. Transactions run on a
/// ``WriterThread``, below the reads' priority.
final class GroupCommit: Sendable {
  /// One request's writes and their lineage.
  struct Writes: Sendable {
    var rows: [FeastFrame.Row]
    var lineage: Lineage
  }

  private struct Waiting: Sendable {
    var writes: Writes
    var continuation: CheckedContinuation<[VersionRef], any Error>
  }

  private struct Queue: Sendable {
    var waiting: [Waiting] = []
    var draining = false
  }

  private let queue = Mutex(Queue())
  private let store: FeatureStore
  private let writer: WriterThread

  /// A committer of writes to `store`, which commits on `writer`.
  init(_ store: FeatureStore, on writer: WriterThread) {
    self.store = store
    self.writer = writer
  }

  /// Commits `writes`, with whatever else is queued, and returns the versions written, in order.
  func commit(_ writes: Writes) async throws -> [VersionRef] {
    try await withCheckedThrowingContinuation { continuation in
      let lead = queue.withLock { q in
        q.waiting.append(Waiting(writes: writes, continuation: continuation))
        defer { q.draining = true }
        return !q.draining
      }
      if lead { Task { await self.drain() } }
    }
  }

  /// Commits queued requests, a group at a time, until none is left.
  private func drain() async {
    while true {
      let group = queue.withLock { q in
        defer { q.waiting = [] }
        if q.waiting.isEmpty { q.draining = false }
        return q.waiting
      }
      if group.isEmpty { return }
      do {
        let refs = try await write(group.map(\.writes))
        var start = 0
        for w in group {
          w.continuation.resume(returning: Array(refs[start..<start + w.writes.rows.count]))
          start += w.writes.rows.count
        }
      } catch {
        if group.count == 1 {
          group[0].continuation.resume(throwing: error)
          continue
        }
        for w in group {
          do {
            w.continuation.resume(returning: try await write([w.writes]))
          } catch {
            w.continuation.resume(throwing: error)
          }
        }
      }
    }
  }

  private func write(_ requests: [Writes]) async throws -> [VersionRef] {
    try await writer.run { [store] in try Self.write(requests, to: store) }
  }

  private static func write(_ requests: [Writes], to store: FeatureStore) throws -> [VersionRef] {
    try store.write { batch in
      for writes in requests {
        for row in writes.rows {
          if let value = row.value {
            batch.put(
              row.feature, row.entity, value, eventTime: row.eventTime, lineage: writes.lineage)
          } else {
            batch.delete(row.feature, row.entity, eventTime: row.eventTime, lineage: writes.lineage)
          }
        }
      }
    }
  }
}
