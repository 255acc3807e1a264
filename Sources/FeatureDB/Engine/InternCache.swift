import Synchronization

/// An in-memory map from interned strings to their ids. Ids are never reused or changed once
/// committed, so a cached id stays true for every process; only committed ids may be added.
final class InternCache: Sendable {
  private let map = Mutex<[String: UInt64]>([:])
  /// Entries kept at most; the cache is emptied when it would grow beyond.
  let capacity: Int

  init(capacity: Int = 1 << 20) { self.capacity = capacity }

  func get(_ key: String) -> UInt64? { map.withLock { $0[key] } }

  func insert(_ pairs: some Sequence<(String, UInt64)>) {
    map.withLock { m in
      for (k, v) in pairs {
        if m.count >= capacity { m.removeAll(keepingCapacity: true) }
        m[k] = v
      }
    }
  }
}
