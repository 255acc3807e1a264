import Foundation

/// A directory of files that appears whole or not at all: written as a temporary directory
/// beside the target (`.NAME.<pid>.tmp`, which Spark and Hive skip) and renamed to the target
/// once every file in it is flushed and `_SUCCESS` is written last. A failed or killed export
/// leaves no directory that looks complete; the next one in the same place removes the
/// leftovers of killed ones.
struct OutputDirectory {
  /// The target directory.
  let path: String
  /// Where the files are written until ``commit()``.
  let temporary: String

  /// Checks the target (absent, or an empty directory, in an existing directory) and creates
  /// the temporary directory.
  ///
  /// - Throws: ``FeatureDBError/outputNotEmpty(path:)`` when the target holds files;
  ///   ``FeatureDBError/invalidArgument(_:)`` when it is not a directory or its parent does
  ///   not exist.
  init(_ path: String) throws {
    let fm = FileManager.default
    var isDirectory: ObjCBool = false
    if fm.fileExists(atPath: path, isDirectory: &isDirectory) {
      guard isDirectory.boolValue else {
        throw FeatureDBError.invalidArgument("cannot write \(path): it is not a directory")
      }
      guard (try? fm.contentsOfDirectory(atPath: path))?.isEmpty ?? false else {
        throw FeatureDBError.outputNotEmpty(path: path)
      }
    }
    let trimmed = path.hasSuffix("/") && path.count > 1 ? String(path.dropLast()) : path
    let parent = (trimmed as NSString).deletingLastPathComponent
    let directory = parent.isEmpty ? "." : parent
    guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
      throw FeatureDBError.invalidArgument(
        "cannot write \(path): the directory \(directory) does not exist")
    }
    let name = (trimmed as NSString).lastPathComponent
    TemporaryFiles.removeStale(in: directory, prefix: ".\(name).", suffix: ".tmp")
    self.path = trimmed
    temporary = directory + "/.\(name).\(getpid()).tmp"
    try? fm.removeItem(atPath: temporary)
    guard mkdir(temporary, 0o755) == 0 else {
      throw FeatureDBError.invalidArgument(
        "cannot write \(path): \(String(cString: strerror(errno)))")
    }
  }

  /// Writes `_SUCCESS` and renames the temporary directory to the target.
  func commit() throws {
    let success = temporary + "/_SUCCESS"
    let fd = open(success, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0, fsync(fd) == 0, close(fd) == 0 else { throw failure(errno) }
    // An empty target directory is replaced; anything else appearing meanwhile fails the rename.
    rmdir(path)
    guard rename(temporary, path) == 0 else { throw failure(errno) }
  }

  /// Removes the temporary directory and what was written into it.
  func discard() {
    try? FileManager.default.removeItem(atPath: temporary)
  }

  private func failure(_ code: Int32) -> FeatureDBError {
    if code == ENOSPC || code == EDQUOT {
      return FeatureDBError.noSpace(path: path, operation: "export")
    }
    if code == ENOTEMPTY || code == EEXIST { return FeatureDBError.outputNotEmpty(path: path) }
    return FeatureDBError.storage(operation: "writing \(path)", code: LMDBError(rawValue: code))
  }
}
