import CLMDB
import Foundation
import Synchronization

/// An open LMDB environment (one directory holding `data.mdb` and `lock.mdb`).
///
/// Opened with `MDB_NOTLS`, so read transactions are tied to their transaction object, not to a
/// thread, and many may be open on one thread. Write transactions are serialized inside the process
/// by a mutex and run whole on the calling thread (LMDB's writer lock must be released by the
/// thread that took it).
///
/// Safety of `@unchecked Sendable`: the `MDB_env` pointer is used only through LMDB calls that are
/// thread-safe on an environment; resizing the map (`mdb_env_set_mapsize`) happens only while
/// `gate` is held exclusively, so no transaction of this process is live during it.
final class Environment: @unchecked Sendable {
  let handle: OpaquePointer
  let path: String
  let options: EnvironmentOptions
  /// Readers and writers hold this shared; map resizing holds it exclusively.
  private let gate = ReadWriteGate()
  /// Serializes write transactions within the process.
  private let writer = NSLock()
  private let mapSize: Atomic<Int>
  /// Table roots of the last snapshot a miss was probed in (TreeProbe.swift).
  let probeCache = Mutex<SnapshotRoots?>(nil)

  /// Opens (and, unless read-only, creates) the environment in directory `path`.
  init(path: String, options: EnvironmentOptions) throws {
    var env: OpaquePointer?
    try check(mdb_env_create(&env))
    guard let env else { throw LMDBError.invalid }
    var opened = false
    defer { if !opened { mdb_env_close(env) } }
    try check(mdb_env_set_maxdbs(env, options.maxTables))
    try check(mdb_env_set_maxreaders(env, options.maxReaders))
    try check(mdb_env_set_mapsize(env, options.mapSize))
    var flags = UInt32(MDB_NOTLS) | UInt32(options.durability.flags)
    if options.readOnly { flags |= UInt32(MDB_RDONLY) }
    try Self.reserveLockFile(path, readers: options.maxReaders, mode: options.fileMode)
    try check(mdb_env_open(env, path, flags, options.fileMode))
    opened = true
    self.handle = env
    self.path = path
    self.options = options
    var info = MDB_envinfo()
    mdb_env_info(env, &info)
    self.mapSize = Atomic(info.me_mapsize)
    var dead: Int32 = 0
    mdb_reader_check(env, &dead)  // clear slots of readers that died
  }

  deinit { mdb_env_close(handle) }

  /// Gives `lock.mdb` its disk blocks before LMDB maps it.
  ///
  /// LMDB sizes a new lock file with `ftruncate` (no blocks) and then writes it through a shared
  /// map: on a full file system the first touch of an unbacked page kills the process with
  /// SIGBUS. With the blocks allocated here first (`posix_fallocate`), a full file system is an
  /// `ENOSPC` error instead. LMDB keeps a lock file at least as large as it needs, so the size
  /// here (one 64-byte slot per reader plus a 4 KiB header, above LMDB's own) is what it maps.
  static func reserveLockFile(_ directory: String, readers: UInt32, mode: mode_t) throws(LMDBError)
  {
    let path = directory + "/lock.mdb"
    let size = off_t(readers) * 64 + 4096
    var st = stat()
    if stat(path, &st) == 0, st.st_size >= size, st.st_blocks * 512 >= size { return }
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, mode)
    // A directory or file we may not write: LMDB reports that itself (a read-only store may
    // still open with an existing lock file).
    guard fd >= 0 else { return }
    defer { close(fd) }
    let code = posix_fallocate(fd, 0, size)
    if code == ENOSPC || code == EDQUOT { throw LMDBError(rawValue: ENOSPC) }
  }

  /// Current map size in bytes.
  var currentMapSize: Int { mapSize.load(ordering: .relaxed) }

  /// Runs `body` in a read transaction; the transaction ends when `body` returns.
  func read<R>(_ body: (borrowing ReadTransaction) throws -> R) throws -> R {
    gate.lockShared()
    defer { gate.unlockShared() }
    var txn: OpaquePointer?
    var code = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
    if code == MDB_MAP_RESIZED {
      gate.unlockShared()
      adoptMapSize()
      gate.lockShared()
      code = mdb_txn_begin(handle, nil, UInt32(MDB_RDONLY), &txn)
    }
    try check(code)
    let result: R
    do {
      result = try body(ReadTransaction(handle: txn!))
    } catch {
      mdb_txn_abort(txn)
      throw error
    }
    // Committing (not aborting) a read transaction keeps table handles it opened.
    try check(mdb_txn_commit(txn))
    return result
  }

  /// Runs `body` in a write transaction and commits when it returns; a thrown error aborts.
  ///
  /// On `MDB_MAP_FULL` the transaction is aborted, the map doubled (up to `maxMapSize`) and
  /// `body` run again from the start, so `body` must be replayable: it may only touch the store
  /// through `txn`.
  func write<R>(_ body: (borrowing WriteTransaction) throws -> R) throws -> R {
    writer.lock()
    defer { writer.unlock() }
    // Another process grows the map at most a few times during one write; a size that never
    // settles (a damaged meta page) must not loop forever.
    var resizes = 0
    while true {
      do {
        return try writeOnce(body)
      } catch LMDBError.mapFull {
        try growMap()
      } catch LMDBError.mapResized {
        resizes += 1
        if resizes > 64 { throw LMDBError.mapResized }
        adoptMapSize()
      }
    }
  }

  private func writeOnce<R>(_ body: (borrowing WriteTransaction) throws -> R) throws -> R {
    gate.lockShared()
    defer { gate.unlockShared() }
    var txn: OpaquePointer?
    try check(mdb_txn_begin(handle, nil, 0, &txn))
    let result: R
    do {
      result = try body(WriteTransaction(handle: txn!))
    } catch {
      mdb_txn_abort(txn)
      throw error
    }
    // A failed commit frees the transaction itself: never abort after it.
    try check(mdb_txn_commit(txn))
    return result
  }

  /// Doubles the map size, waiting until no transaction of this process is live.
  private func growMap() throws {
    let current = currentMapSize
    guard current < options.maxMapSize else { throw LMDBError.mapFull }
    let target = min(current * 2, options.maxMapSize)
    try gate.withExclusive {
      try check(mdb_env_set_mapsize(handle, target))
    }
    mapSize.store(target, ordering: .relaxed)
  }

  /// Adopts a map size grown by another process (after `MDB_MAP_RESIZED`).
  private func adoptMapSize() {
    gate.withExclusive {
      mdb_env_set_mapsize(handle, 0)
      var info = MDB_envinfo()
      mdb_env_info(handle, &info)
      mapSize.store(info.me_mapsize, ordering: .relaxed)
    }
  }

  /// Flushes written data to disk (`mdb_env_sync` with force).
  func sync() throws {
    try check(mdb_env_sync(handle, 1))
  }

  /// Copies the environment to `directory` without free pages (`mdb_env_copy2` with `MDB_CP_COMPACT`).
  func copyCompacted(to directory: String) throws {
    try check(mdb_env_copy2(handle, directory, UInt32(MDB_CP_COMPACT)))
  }

  /// Page size, and pages in use, from `mdb_env_stat` / `mdb_env_info`.
  func info() -> (pageSize: Int, lastPage: Int, mapSize: Int, readers: Int) {
    var stat = MDB_stat()
    mdb_env_stat(handle, &stat)
    var info = MDB_envinfo()
    mdb_env_info(handle, &info)
    return (Int(stat.ms_psize), info.me_last_pgno, info.me_mapsize, Int(info.me_numreaders))
  }

  /// Clears reader slots left by dead processes; returns how many were cleared.
  @discardableResult
  func clearStaleReaders() -> Int {
    var dead: Int32 = 0
    mdb_reader_check(handle, &dead)
    return Int(dead)
  }
}
