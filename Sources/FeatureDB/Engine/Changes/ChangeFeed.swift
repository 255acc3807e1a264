/// The changes of a store as they commit: an `AsyncSequence` from
/// ``FeatureStore/follow(after:features:pollInterval:)``.
///
/// ```swift
/// for try await change in db.follow(after: cursor) {
///   apply(change)
///   cursor = change.sequence
/// }
/// ```
public struct ChangeFeed: AsyncSequence, Sendable {
  /// Each element is one change.
  public typealias Element = Change

  let store: FeatureStore
  let after: UInt64
  let features: Set<String>?
  let pollInterval: Duration

  /// An iterator that reads pages of the feed and waits when it has caught up.
  public struct AsyncIterator: AsyncIteratorProtocol {
    let feed: ChangeFeed
    var cursor: UInt64
    var buffer: [Change] = []
    var index = 0

    /// The next change, waiting for one to commit; nil once the task is cancelled.
    public mutating func next() async throws -> Change? {
      while index == buffer.count {
        if Task.isCancelled { return nil }
        let page = try feed.store.changes(after: cursor, limit: 1_000, features: feed.features)
        cursor = page.next
        (buffer, index) = (page.changes, 0)
        if buffer.isEmpty {
          do { try await Task.sleep(for: feed.pollInterval) } catch { return nil }
        }
      }
      defer { index += 1 }
      return buffer[index]
    }
  }

  /// Starts at the feed's `after`.
  public func makeAsyncIterator() -> AsyncIterator {
    AsyncIterator(feed: self, cursor: after)
  }
}
