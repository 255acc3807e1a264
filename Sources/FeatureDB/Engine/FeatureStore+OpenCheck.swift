import Foundation

extension FeatureStore {
  /// Checks the store directory and its `data.mdb` before LMDB opens (and maps) it.
  ///
  /// - A missing store is created only with ``StoreOptions/create``; without it the directory
  ///   must exist and hold `data.mdb`.
  /// - An existing `data.mdb` is never replaced: an empty one (LMDB would silently initialize a
  ///   new store in it), one too short for the pages its meta names (LMDB would die with SIGBUS)
  ///   or one whose table records are damaged is ``FeatureDBError/damagedStore(path:detail:)``.
  /// - A directory or file the user may not read is ``FeatureDBError/permissionDenied(path:detail:)``,
  ///   naming the file.
  static func checkBeforeOpen(_ path: String, options: StoreOptions) throws {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    let exists = fm.fileExists(atPath: path, isDirectory: &isDir)
    if exists, isDir.boolValue {
      // fileExists cannot tell "absent" from "not allowed to look": ask the directory itself.
      if access(path, R_OK | X_OK) != 0 {
        throw FeatureDBError.permissionDenied(
          path: path,
          detail: "cannot read the store directory: \(String(cString: strerror(errno)))")
      }
    }
    if !exists, options.create, !options.readOnly {
      let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
      var parentIsDir: ObjCBool = false
      if !fm.fileExists(atPath: parent, isDirectory: &parentIsDir) || !parentIsDir.boolValue {
        throw FeatureDBError.invalidArgument(
          "cannot create the store \(path): the directory \(parent) does not exist")
      }
    }
    let data = path + "/data.mdb"
    let hasData = exists && isDir.boolValue && fm.fileExists(atPath: data)
    if !options.create, !options.readOnly, !hasData {
      if !exists {
        throw FeatureDBError.notAStore(
          path: path,
          reason: "it does not exist (open with StoreOptions(create: true) or run 'fdb init')")
      }
      if isDir.boolValue {
        throw FeatureDBError.notAStore(path: path, reason: "no data.mdb in the directory")
      }
    }
    guard hasData else { return }
    let result: Result<Void, DataFileDamage>
    do {
      result = try DataFile.checkBeforeOpen(
        path: data, smallTables: ["meta", "features", "dicts"])  // read through LMDB at open
    } catch let error as LMDBError {
      switch error.rawValue {
      case EACCES, EPERM:
        throw FeatureDBError.permissionDenied(
          path: data, detail: "cannot read data.mdb; check its owner and mode")
      default:
        throw FeatureDBError.storage(operation: "open data.mdb", code: error)
      }
    }
    if case .failure(let damage) = result {
      throw FeatureDBError.damagedStore(path: path, detail: damage.description)
    }
  }

  /// Which file LMDB could not open, and what to do: `EACCES` from `mdb_env_open` names neither.
  static func permissionError(_ path: String, _ error: LMDBError) -> FeatureDBError {
    let data = path + "/data.mdb"
    let lock = path + "/lock.mdb"
    if error.rawValue == EROFS {
      return .permissionDenied(
        path: path,
        detail: "the file system is read-only; LMDB needs to write lock.mdb even to read")
    }
    if access(data, R_OK) != 0 {
      return .permissionDenied(
        path: data, detail: "cannot read data.mdb; run as its owner or ask for read access")
    }
    if FileManager.default.fileExists(atPath: lock) {
      if access(lock, R_OK | W_OK) != 0 {
        return .permissionDenied(
          path: lock,
          detail:
            "readers and writers both need write access to lock.mdb (LMDB records readers in it); make it writable for this user (chmod/chgrp) or run as its owner"
        )
      }
    } else if access(path, W_OK) != 0 {
      return .permissionDenied(
        path: path,
        detail:
          "lock.mdb is missing and the directory is not writable, so LMDB cannot create it; run once as the directory's owner"
      )
    }
    if access(data, W_OK) != 0 {
      return .permissionDenied(
        path: data, detail: "data.mdb is read-only for this user; open the store read-only")
    }
    return .permissionDenied(path: path, detail: error.description)
  }
}
