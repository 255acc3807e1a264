import CLMDB
import Foundation
import Synchronization

/// An embedded, versioned feature store in one directory.
///
/// ```swift
/// let db = try FeatureStore(path: "features.fdb")
/// try db.define(FeatureDefinition("user.spend_7d", type: .double))
/// try db.put("user.spend_7d", "u1", 12.5, lineage: Lineage(producer: "spend@1.0", run: "r1"))
/// let spend = try db.latest("user.spend_7d", "u1", as: Double.self)   // 12.5
/// ```
///
/// Thread safety: a `FeatureStore` is `Sendable`. Reads run concurrently from any thread or task,
/// and from other processes; writes are serialized (within the process by a lock, across processes
/// by LMDB's writer lock). Calls are synchronous and never suspend inside a transaction; from
/// async code use the `async` overloads (`try await db.write { … }`), which run the transaction
/// off the cooperative thread pool.
///
/// ## Topics
///
/// ### Writing
/// - ``write(_:)-b05u``
/// - ``put(_:_:_:eventTime:lineage:)-8voae``
/// - ``delete(_:_:eventTime:lineage:)-7i4mo``
///
/// ### Reading
/// - ``read(_:)-3mz9y``
/// - ``latest(_:_:)-75ind``
/// - ``asOf(_:_:eventTime:writeTime:)-maji``
/// - ``history(_:_:limit:includeRetracted:)-4vyy1``
///
/// ### Catalog
/// - ``define(_:)->FeatureDefinition``
/// - ``feature(_:)``
/// - ``features()``
public final class FeatureStore: Sendable {
  /// The store directory.
  public let path: String
  /// The options the store was opened with.
  public let options: StoreOptions
  let env: Environment
  let tables: Tables
  /// Microseconds; write times are stored relative to it.
  let epoch: Int64
  /// Identifies this store (random, set at creation).
  public let storeID: String
  let zstd: Zstd
  let catalogCache = Mutex<Catalog?>(nil)
  /// The catalog of the last snapshot, by the id of the committed transaction it saw: a read
  /// transaction with that id sees the same catalog, so it need not read `meta`.
  let snapshotCatalog = Mutex<(transaction: UInt64, catalog: Catalog)?>(nil)
  /// The last feature list ``Snapshot/latest(features:entity:)`` resolved.
  let vectorPlan = Mutex<FeatureVectorPlan?>(nil)
  let entityCache = InternCache()
  /// Symbols: run ids, sources, producers and raw lineage inputs. A pipeline's raw inputs (its
  /// event ids) are new with nearly every write and rarely read again, so this cache keeps at
  /// most 65,536 entries (about 10 MB); with the default 1M it held about 140 MB after a
  /// million events.
  let symbolCache = InternCache(capacity: 1 << 16)
  let dictionaryCache = Mutex<[UInt64: ZstdDictionary]>([:])

  /// The format version this build writes and the newest it reads. A writer upgrades an older
  /// store in place when it opens it; read-only opens read every version.
  public static let formatVersion: UInt32 = 3
  /// Default store location.
  public static let defaultPath = "./features.fdb"

  /// Opens the store at `path`, creating it when it does not exist and `options.create` (the
  /// default) allows it. An existing but empty or damaged `data.mdb` is never replaced.
  ///
  /// - Throws: ``FeatureDBError/notAStore(path:reason:)`` when `path` holds something else,
  ///   ``FeatureDBError/newerFormat(path:found:supported:)``,
  ///   ``FeatureDBError/permissionDenied(path:detail:)``,
  ///   ``FeatureDBError/damagedStore(path:detail:)`` (an empty, truncated or damaged `data.mdb`).
  public init(path: String = FeatureStore.defaultPath, options: StoreOptions = StoreOptions())
    throws
  {
    self.path = path
    self.options = options
    try Self.checkBeforeOpen(path, options: options)
    try Self.prepareDirectory(path, options: options)
    var envOptions = EnvironmentOptions()
    envOptions.mapSize = options.mapSize
    envOptions.maxMapSize = max(options.maxMapSize, options.mapSize)
    envOptions.durability = options.durability
    envOptions.readOnly = options.readOnly
    envOptions.fileMode = mode_t(options.fileMode)
    do {
      env = try Environment(path: path, options: envOptions)
    } catch let error as LMDBError {
      throw Self.openError(error, path: path)
    }
    let (tables, meta) = try Self.openTables(env, path: path, readOnly: options.readOnly)
    self.tables = tables
    self.epoch = meta.epoch
    self.storeID = meta.storeID
    self.zstd = Zstd(level: options.compressionLevel)
  }

  /// Flushes all committed writes to disk (needed only with ``Durability/noSync``).
  public func sync() throws {
    try lmdb("sync") { try env.sync() }
  }

  // MARK: - Opening

  private static func prepareDirectory(_ path: String, options: StoreOptions) throws {
    var isDir: ObjCBool = false
    let fm = FileManager.default
    if fm.fileExists(atPath: path, isDirectory: &isDir) {
      guard isDir.boolValue else {
        throw FeatureDBError.notAStore(path: path, reason: "it is a file, not a store directory")
      }
      let contents = (try? fm.contentsOfDirectory(atPath: path)) ?? []
      if !contents.contains("data.mdb") {
        if options.readOnly {
          throw FeatureDBError.notAStore(path: path, reason: "no data.mdb in the directory")
        }
        if !contents.filter({ $0 != "lock.mdb" }).isEmpty {
          throw FeatureDBError.notAStore(
            path: path, reason: "the directory holds other files and no data.mdb")
        }
      }
      if !options.readOnly, let attrs = try? fm.attributesOfItem(atPath: path),
        let mode = attrs[.posixPermissions] as? Int, mode & 0o222 == 0
      {
        throw FeatureDBError.permissionDenied(path: path, detail: "the directory is read-only")
      }
    } else {
      if options.readOnly {
        throw FeatureDBError.notAStore(path: path, reason: "it does not exist")
      }
      do {
        try fm.createDirectory(
          atPath: path, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
      } catch {
        throw FeatureDBError.permissionDenied(
          path: path, detail: "cannot create directory: \((error as NSError).localizedDescription)")
      }
    }
  }

  private static func openError(_ error: LMDBError, path: String) -> FeatureDBError {
    switch error.rawValue {
    case MDB_INVALID: .notAStore(path: path, reason: "data.mdb is not an LMDB file")
    case MDB_VERSION_MISMATCH:
      .notAStore(path: path, reason: "written by an incompatible LMDB version")
    case EACCES, EPERM, EROFS: permissionError(path, error)
    case _ where FileSystemSpace.isFull(path, error): .noSpace(path: path, operation: "open")
    default: .storage(operation: "open", code: error)
    }
  }

  private struct MetaInfo {
    var epoch: Int64
    var storeID: String
    var format: UInt32
  }

  private static func openTables(_ env: Environment, path: String, readOnly: Bool) throws -> (
    Tables, MetaInfo
  ) {
    func validate(_ meta: MetaStore, _ txn: borrowing some Transaction & ~Copyable) throws
      -> MetaInfo
    {
      guard try meta.bytes(txn, .magic) == MetaStore.magic else {
        throw FeatureDBError.notAStore(path: path, reason: "the meta table has no FeatureDB magic")
      }
      // Range-checked (MetaValidation.swift): 1 … formatVersion, newer, or damage.
      let raw = try meta.checkedFormat(txn, path: path)
      guard let epoch = try meta.checkedEpoch(txn), let id = try meta.bytes(txn, .storeID) else {
        throw FeatureDBError.corruptStore(table: "meta", detail: "epoch or store id missing")
      }
      return MetaInfo(
        epoch: epoch, storeID: String(decoding: id, as: UTF8.self), format: UInt32(raw))
    }
    do {
      if readOnly {
        return try env.read { txn in
          guard let metaTable = try Table.openExisting("meta", in: txn) else {
            throw FeatureDBError.notAStore(path: path, reason: "table 'meta' is missing")
          }
          let info = try validate(MetaStore(table: metaTable), txn)
          let tables = try Tables.openExisting(txn, path: path, format: info.format)
          return (tables, info)
        }
      }
      return try env.write { txn in
        if let metaTable = try Table.openExisting("meta", in: txn) {
          let meta = MetaStore(table: metaTable)
          var info = try validate(meta, txn)
          let tables = try Tables.open(txn)
          if info.format < formatVersion {
            try meta.upgrade(txn, from: info.format)
            info.format = formatVersion
          }
          return (tables, info)
        }
        // A new store: refuse an LMDB environment that already holds other tables.
        var main: MDB_dbi = 0
        try check(mdb_dbi_open(txn.handle, nil, 0, &main))
        guard try Table(dbi: main, name: "").count(txn) == 0 else {
          throw FeatureDBError.notAStore(
            path: path, reason: "an LMDB environment of another program")
        }
        let tables = try Tables.open(txn)
        let meta = MetaStore(table: tables.meta)
        try meta.initialize(txn)
        return (tables, try validate(meta, txn))
      }
    } catch let error as LMDBError {
      throw openError(error, path: path)
    }
  }

  // MARK: - Errors

  /// Runs an LMDB operation, turning LMDB errors into ``FeatureDBError``.
  func lmdb<R>(_ operation: String, _ body: () throws -> R) throws -> R {
    do {
      return try body()
    } catch let error as LMDBError {
      switch error {
      case .mapFull: throw FeatureDBError.storeFull(path: path, mapSize: env.currentMapSize)
      case LMDBError(rawValue: EACCES): throw FeatureDBError.readOnly(path: path)
      case _ where FileSystemSpace.isFull(path, error):
        throw FeatureDBError.noSpace(path: path, operation: operation)
      default: throw FeatureDBError.storage(operation: operation, code: error)
      }
    }
  }
}
