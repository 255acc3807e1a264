import Foundation

/// The CSV part files of a partitioned export: `FOLDER/part-<shard>-<n>.csv`, each starting
/// with the header row, a new `n` once a file holds `rowsPerFile` rows.
///
/// Rows reach the folders in any order (entity by entity), so each folder's rows are buffered
/// in memory and every buffer is appended to its file once they hold ``budget`` bytes together:
/// memory stays bounded, and a file is opened once per flush, not once per row. ``finish()``
/// writes what is left and syncs every file.
struct PartFiles: ~Copyable {
  /// Where the folders are created.
  let root: String
  let shard: Int
  let header: [String]
  let rowsPerFile: Int
  /// Bytes buffered over all folders before they are written out.
  let budget: Int
  /// Files written so far.
  var files: Int { written.count }

  private struct Part {
    var number = 0
    var rows = 0
    /// Whether the current file exists (it is appended to).
    var created = false
    var buffer: [UInt8] = []
  }

  private var parts: [String: Part] = [:]
  private var buffered = 0
  private var written: [String] = []

  init(root: String, shard: Int, header: [String], rowsPerFile: Int, budget: Int = 32 << 20) {
    self.root = root
    self.shard = shard
    self.header = header
    self.rowsPerFile = rowsPerFile
    self.budget = budget
  }

  /// Adds `record` to the current part file of `folder` (a relative path).
  mutating func write(_ folder: String, _ record: [String]) throws {
    var part = parts.removeValue(forKey: folder) ?? Part()
    if part.rows == rowsPerFile {
      try flush(folder, &part)
      part = Part(number: part.number + 1)
    }
    let before = part.buffer.count
    if part.rows == 0 { CSVWriter.append(record: header, to: &part.buffer) }
    CSVWriter.append(record: record, to: &part.buffer)
    part.rows += 1
    buffered += part.buffer.count - before
    parts[folder] = part
    if buffered >= budget { try flushAll() }
  }

  /// Writes every buffered row, then syncs every file written.
  mutating func finish() throws {
    try flushAll()
    for path in written {
      let fd = open(path, O_RDONLY | O_CLOEXEC)
      guard fd >= 0, fsync(fd) == 0 else { throw failure(path) }
      close(fd)
    }
  }

  private mutating func flushAll() throws {
    for folder in Array(parts.keys) {
      var part = parts[folder]!
      try flush(folder, &part)
      parts[folder] = part
    }
    buffered = 0
  }

  /// Appends the buffer of `folder` to its current file (creating the file and the folder).
  private mutating func flush(_ folder: String, _ part: inout Part) throws {
    guard !part.buffer.isEmpty else { return }
    let path = root + "/" + folder + "/part-\(shard)-\(part.number).csv"
    if !part.created {
      if part.number == 0 {
        try FileManager.default.createDirectory(
          atPath: root + "/" + folder, withIntermediateDirectories: true)
      }
      written.append(path)
    }
    let flags = part.created ? O_WRONLY | O_APPEND : O_WRONLY | O_CREAT | O_EXCL
    let fd = open(path, flags | O_CLOEXEC, 0o644)
    guard fd >= 0 else { throw failure(path) }
    defer { close(fd) }
    part.created = true
    try CSVWriter.write(part.buffer, to: fd)
    buffered -= part.buffer.count
    part.buffer.removeAll()
  }

  private func failure(_ path: String) -> FeatureDBError {
    let code = errno
    if code == ENOSPC || code == EDQUOT {
      return FeatureDBError.noSpace(path: path, operation: "export")
    }
    return FeatureDBError.storage(operation: "writing \(path)", code: LMDBError(rawValue: code))
  }
}
