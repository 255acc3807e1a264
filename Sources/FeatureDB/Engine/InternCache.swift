import Synchronization

/// An in-memory map from interned strings to their ids. Ids are never reused or changed once
/// committed, so a cached id stays true for every process; only committed ids may be added.
final class InternCache: Sendable {
  private struct Maps {
    var ids = StringTable<UInt64>()
    var names: [UInt64: String] = [:]
  }
  private let maps = Mutex(Maps())
  /// Entries kept at most; the cache is emptied when it would grow beyond.
  let capacity: Int

  init(capacity: Int = 1 << 20) { self.capacity = capacity }

  func get(_ key: String) -> UInt64? { maps.withLock { $0.ids[key] } }

  func name(_ id: UInt64) -> String? { maps.withLock { $0.names[id] } }

  func insert(_ pairs: some Sequence<(String, UInt64)>) {
    maps.withLock { m in
      for (k, v) in pairs {
        if m.ids.count >= capacity {
          m.ids.removeAll()
          m.names.removeAll(keepingCapacity: true)
        }
        m.ids[k] = v
        m.names[v] = k
      }
    }
  }
}
