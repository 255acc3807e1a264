import Foundation

/// The CSV part files of a partitioned export: `FOLDER/part-<shard>-<n>.csv`, each starting
/// with the header row, a new `n` once a file holds `rowsPerFile` rows. Rows reach the folders
/// in any order, so at most ``maxOpen`` files are open at once; when more are needed every
/// open file is flushed and closed, and a closed file is reopened to append.
struct PartFiles: ~Copyable {
  /// Where the folders are created.
  let root: String
  let shard: Int
  let header: [String]
  let rowsPerFile: Int
  /// Files written so far.
  private(set) var files = 0

  private struct Part {
    var number = 0
    var rows = 0
  }

  private var parts: [String: Part] = [:]
  private var open: [String: (fd: Int32, writer: CSVWriter)] = [:]
  static let maxOpen = 64

  init(root: String, shard: Int, header: [String], rowsPerFile: Int) {
    self.root = root
    self.shard = shard
    self.header = header
    self.rowsPerFile = rowsPerFile
  }

  /// Appends `record` to the current part file of `folder` (a relative path).
  mutating func write(_ folder: String, _ record: [String]) throws {
    var part = parts[folder] ?? Part()
    if part.rows == rowsPerFile {
      try close(folder)
      part = Part(number: part.number + 1)
    }
    let isNew = part.rows == 0
    if open[folder] == nil {
      if open.count == PartFiles.maxOpen { try closeAll() }
      if isNew && part.number == 0 {
        try FileManager.default.createDirectory(
          atPath: root + "/" + folder, withIntermediateDirectories: true)
      }
      let path = root + "/" + folder + "/part-\(shard)-\(part.number).csv"
      let flags = isNew ? O_CREAT | O_EXCL | O_WRONLY : O_WRONLY | O_APPEND
      let fd = Foundation.open(path, flags | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw FeatureDBError.storage(
          operation: "creating \(path)", code: LMDBError(rawValue: errno))
      }
      open[folder] = (fd, CSVWriter(fd: fd))
      if isNew { files += 1 }
    }
    if isNew { try open[folder]!.writer.write(record: header) }
    try open[folder]!.writer.write(record: record)
    part.rows += 1
    parts[folder] = part
  }

  /// Flushes, syncs and closes every open file.
  mutating func closeAll() throws {
    for folder in Array(open.keys) { try close(folder) }
  }

  /// Closes every open file without flushing (after a failure).
  mutating func abandon() {
    for (_, file) in open { Foundation.close(file.fd) }
    open.removeAll()
  }

  private mutating func close(_ folder: String) throws {
    guard var file = open.removeValue(forKey: folder) else { return }
    defer { Foundation.close(file.fd) }
    try file.writer.flush()
    guard fsync(file.fd) == 0 else {
      throw FeatureDBError.storage(
        operation: "writing \(root)/\(folder)", code: LMDBError(rawValue: errno))
    }
  }
}
