import Glibc

/// A reader-writer lock over `pthread_rwlock_t`: transactions hold it shared, map resizing holds
/// it exclusively, because LMDB requires that no transaction of the process is live while
/// `mdb_env_set_mapsize` runs.
///
/// Readers are preferred (glibc's default), so a thread that already holds it shared can take it
/// shared again (a read inside a read) without deadlock.
final class ReadWriteGate: @unchecked Sendable {
  private let lock: UnsafeMutablePointer<pthread_rwlock_t>

  init() {
    lock = .allocate(capacity: 1)
    lock.initialize(to: pthread_rwlock_t())
    pthread_rwlock_init(lock, nil)
  }

  deinit {
    pthread_rwlock_destroy(lock)
    lock.deallocate()
  }

  func lockShared() { pthread_rwlock_rdlock(lock) }
  func unlockShared() { pthread_rwlock_unlock(lock) }

  func withExclusive<R>(_ body: () throws -> R) rethrows -> R {
    pthread_rwlock_wrlock(lock)
    defer { pthread_rwlock_unlock(lock) }
    return try body()
  }
}
