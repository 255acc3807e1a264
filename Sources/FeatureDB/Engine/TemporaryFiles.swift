import Foundation

/// Temporary files and directories named with a process id (`…<pid>.tmp`): an export's output
/// before its rename, a compact's copy. A process killed before it renamed or removed one leaves
/// it behind; the next run in the same place removes those whose process is gone.
enum TemporaryFiles {
  /// Removes entries of `directory` named `prefix` + a process id + `suffix` whose process no
  /// longer exists; returns how many.
  @discardableResult
  static func removeStale(in directory: String, prefix: String, suffix: String) -> Int {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
      return 0
    }
    var removed = 0
    for name in names where name.hasPrefix(prefix) && name.hasSuffix(suffix) {
      let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
      guard let pid = Int32(middle), pid > 0, pid != getpid() else { continue }
      // kill(pid, 0) fails with ESRCH only when no such process exists.
      if kill(pid, 0) != 0, errno == ESRCH {
        if (try? FileManager.default.removeItem(atPath: directory + "/" + name)) != nil {
          removed += 1
        }
      }
    }
    return removed
  }
}
