import Foundation

/// An output that appears whole or not at all: written to a temporary file beside the target and
/// renamed over it on success. With no path, standard output; a device, pipe or socket
/// (`/dev/stdout`, `/dev/full`, a FIFO) is written in place, since a rename would replace it with
/// a regular file.
struct OutputFile {
  let path: String?
  let fd: Int32
  private let temporary: String?

  init(_ path: String?) throws {
    self.path = path
    guard let path else {
      fd = STDOUT_FILENO
      temporary = nil
      return
    }
    var info = stat()
    if stat(path, &info) == 0, ![S_IFREG, S_IFDIR].contains(info.st_mode & S_IFMT) {
      fd = open(path, O_WRONLY | O_CLOEXEC)
      guard fd >= 0 else {
        throw FeatureDBError.invalidArgument(
          "cannot write \(path): \(String(cString: strerror(errno)))")
      }
      temporary = nil
      return
    }
    let directory = (path as NSString).deletingLastPathComponent
    var isDir: ObjCBool = false
    guard
      FileManager.default.fileExists(
        atPath: directory.isEmpty ? "." : directory, isDirectory: &isDir), isDir.boolValue
    else {
      throw FeatureDBError.invalidArgument(
        "cannot write \(path): the directory \(directory) does not exist")
    }
    // Outputs of exports that were killed before their rename (their process is gone).
    let name = (path as NSString).lastPathComponent
    TemporaryFiles.removeStale(
      in: directory.isEmpty ? "." : directory, prefix: ".\(name).", suffix: ".tmp")
    let temp = (directory.isEmpty ? "." : directory) + "/.\(name).\(getpid()).tmp"
    let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw FeatureDBError.invalidArgument(
        "cannot write \(path): \(String(cString: strerror(errno)))")
    }
    self.fd = fd
    temporary = temp
  }

  /// Makes the output visible under its name.
  func commit() throws {
    guard let path else { return }
    guard let temporary else {
      close(fd)
      return
    }
    guard fsync(fd) == 0, close(fd) == 0, rename(temporary, path) == 0 else {
      let code = errno
      unlink(temporary)
      if code == ENOSPC || code == EDQUOT {
        throw FeatureDBError.noSpace(path: path, operation: "export")
      }
      throw FeatureDBError.storage(operation: "writing \(path)", code: LMDBError(rawValue: code))
    }
  }

  /// Removes the partial output.
  func discard() {
    guard path != nil else { return }
    close(fd)
    if let temporary { unlink(temporary) }
  }
}
