import FeatureDB
import Foundation

/// How a command uses the store.
enum StoreAccess {
  /// Read only: the store must exist and is opened read-only, so nothing can change it.
  case read
  /// Read and write: the store must exist (a typo in `--db` must not create a new store).
  case write
  /// Read and write, creating the store when the directory does not exist (`init`, `demo`).
  case create
}

extension GlobalOptions {
  /// Opens the store at ``path`` for `access`; a missing store is a one-line error.
  ///
  /// Damage on disk is an error, never a crash: every read checks the pages on its path
  /// (`checkPages`), and with `wholeStore` (commands that read whole tables) every page of
  /// data.mdb is checked before the command touches the store through LMDB. Commands that write
  /// a few records check every page too while data.mdb is at most ``smallStore`` bytes (about
  /// a second); on a larger store that would make every `put` pay for the whole file, so they
  /// check the paths they read and leave the rest to `fdb verify`.
  func openStore(_ access: StoreAccess, wholeStore: Bool = false) throws -> FeatureStore {
    let path = self.path
    guard !path.isEmpty else { throw CLIError.usage("--db is empty; give a store directory") }
    if access != .create {
      let fm = FileManager.default
      var isDirectory: ObjCBool = false
      if !fm.fileExists(atPath: path, isDirectory: &isDirectory) {
        throw CLIError.failure(
          "no store at \(path) (create one with 'fdb init', or pass --db PATH or set FDB_PATH)")
      }
      // A directory we may not enter hides its data.mdb: say so, not "no store".
      if isDirectory.boolValue, Glibc.access(path, R_OK | X_OK) != 0 {
        throw FeatureDBError.permissionDenied(
          path: path,
          detail:
            "cannot read the store directory (\(String(cString: strerror(errno)))); run as its owner or ask for read access"
        )
      }
      if isDirectory.boolValue, !fm.fileExists(atPath: path + "/data.mdb") {
        throw CLIError.failure(
          "\(path) is not a FeatureDB store: no data.mdb in the directory (create one with 'fdb init')"
        )
      }
    }
    let store = try FeatureStore(
      path: path,
      options: StoreOptions(readOnly: access == .read, create: access == .create, checkPages: true))
    if wholeStore || (access != .read && Self.dataFileSize(path) <= Self.smallStore) {
      try store.checkStructure()
    }
    return store
  }

  /// data.mdb sizes up to which a writing command walks every page first.
  static let smallStore = 256 << 20

  private static func dataFileSize(_ path: String) -> Int {
    var info = stat()
    return stat(path + "/data.mdb", &info) == 0 ? Int(info.st_size) : 0
  }
}
