import FeatureDB
import Foundation
import Synchronization

/// Commits write batches on its own thread, one at a time and in order, so the runner can
/// parse and extract the next batch meanwhile. The first error is kept and rethrown to the
/// runner at its next ``submit(_:)`` or ``drain()``; the runner then stops (the batches
/// after a failed one are never committed: each waits for the previous).
final class Committer: @unchecked Sendable {
  // Safety: `error` is read and written only under `lock`; the store is Sendable.
  private let store: FeatureStore
  private let queue = DispatchQueue(label: "FeaturePipeline.commit")
  private let slot = DispatchSemaphore(value: 1)
  private let lock = NSLock()
  private var error: (any Error)?
  /// Batches submitted and not yet committed (or failed).
  private let inFlight = Atomic<Int>(0)
  /// See ``PipelineRunner/committed``; set only while no commit is in flight.
  var committed: (@Sendable (UInt64) -> Void)?

  init(store: FeatureStore) { self.store = store }

  /// No batch is being committed: a batch submitted now starts at once.
  var idle: Bool { inFlight.load(ordering: .acquiring) == 0 }

  /// Waits for the previous commit, then starts committing `batch`, whose operations must get
  /// the version numbers `expected` (the runner counts them to name parent versions; another
  /// writer of the same features would break that, and the run stops).
  func submit(_ batch: WriteBatch, expecting expected: [UInt64], offset: UInt64) throws {
    slot.wait()
    if let e = takeError() {
      slot.signal()
      throw e
    }
    inFlight.add(1, ordering: .relaxed)
    queue.async { [store, slot, committed] in
      do {
        let refs = try store.commit(batch)
        if let i = refs.indices.first(where: { refs[$0].version != expected[$0] }) {
          throw PipelineError.invalidConfiguration(
            "\(refs[i]) was expected to be version \(expected[i]): another writer writes the pipeline's features"
          )
        }
        committed?(offset)
      } catch {
        self.lock.withLock { if self.error == nil { self.error = error } }
      }
      self.inFlight.subtract(1, ordering: .releasing)
      slot.signal()
    }
  }

  /// Waits until every submitted batch has committed (or failed: then throws its error).
  func drain() throws {
    slot.wait()
    defer { slot.signal() }
    if let e = takeError() { throw e }
  }

  private func takeError() -> (any Error)? {
    lock.withLock {
      defer { error = nil }
      return error
    }
  }
}
