import Foundation

/// Sizes of a compacted copy.
public struct CompactResult: Hashable, Sendable {
  /// Bytes of the source's data file.
  public var bytesBefore: Int
  /// Bytes of the copy's data file.
  public var bytesAfter: Int
}

extension FeatureStore {
  /// Copies the store to `directory` with no free pages and every page full, and reports the
  /// sizes. Open the copy with `FeatureStore(path: directory)`.
  ///
  /// The copy is made from one read snapshot, so writers may continue meanwhile. Records are
  /// appended in key order into a new store, which packs pages fully; LMDB's own compacting copy
  /// (`mdb_env_copy2`) only drops free pages and keeps pages that pruning left half empty.
  ///
  /// All or nothing: the source's pages are checked first (``checkStructure(tables:)``), the
  /// copy is written into a temporary directory beside `directory`
  /// (``compactTemporaryPath(for:)``), flushed, its pages and record counts checked, and only
  /// then renamed to `directory`. On any failure the temporary directory is removed and
  /// `directory` is left as it was; a temporary directory left by a compact that was killed is
  /// removed by the next compact into the same place.
  ///
  /// - Throws: ``FeatureDBError/invalidArgument(_:)`` when `directory` exists and is not empty,
  ///   ``FeatureDBError/damagedStore(path:detail:)`` when the source is damaged.
  @discardableResult
  public func compact(to directory: String) throws -> CompactResult {
    try compact(to: directory, beforeRename: nil)
  }

  /// Where ``compact(to:)`` writes the copy before renaming it to `directory`: a hidden
  /// directory beside it, named with the process id.
  public static func compactTemporaryPath(for directory: String) -> String {
    let url = URL(fileURLWithPath: directory)
    return url.deletingLastPathComponent().path
      + "/.\(url.lastPathComponent).compact-\(getpid()).tmp"
  }

  /// ``compact(to:)`` with a hook run just before the rename (tests make it fail there).
  func compact(to directory: String, beforeRename: (() throws -> Void)?) throws -> CompactResult {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: directory, isDirectory: &isDir) {
      guard isDir.boolValue else {
        throw FeatureDBError.invalidArgument("\(directory) exists and is not a directory")
      }
      guard (try? fm.contentsOfDirectory(atPath: directory))?.isEmpty ?? false else {
        throw FeatureDBError.invalidArgument(
          "\(directory) is not empty; compact writes into a new or empty directory")
      }
    }
    let parent = URL(fileURLWithPath: directory).deletingLastPathComponent().path
    guard fm.fileExists(atPath: parent, isDirectory: &isDir), isDir.boolValue else {
      throw FeatureDBError.invalidArgument(
        "cannot create \(directory): the directory \(parent) does not exist")
    }
    TemporaryFiles.removeStale(
      in: parent, prefix: ".\(URL(fileURLWithPath: directory).lastPathComponent).compact-",
      suffix: ".tmp")
    try checkStructure()
    let temporary = Self.compactTemporaryPath(for: directory)
    try? fm.removeItem(atPath: temporary)
    do {
      try fm.createDirectory(
        atPath: temporary, withIntermediateDirectories: false,
        attributes: [.posixPermissions: 0o700])
    } catch {
      throw FeatureDBError.permissionDenied(
        path: parent,
        detail: "cannot create the directory for the copy: \(error.localizedDescription)")
    }
    var done = false
    defer { if !done { try? fm.removeItem(atPath: temporary) } }
    func size(_ dir: String) -> Int {
      ((try? fm.attributesOfItem(atPath: dir + "/data.mdb"))?[.size] as? Int) ?? 0
    }
    var counts: [String: Int] = [:]
    try lmdb("compact") {
      var targetOptions = env.options
      targetOptions.durability = .noSync
      targetOptions.readOnly = false
      targetOptions.mapSize = max(1 << 20, size(path) + size(path) / 8)
      let target = try Environment(path: temporary, options: targetOptions)
      try env.read { source in
        for table in tables.all {
          try copy(table, from: source, to: target)
          counts[table.name] = try table.count(source)
        }
      }
      try target.sync()
    }
    try checkCopy(temporary, counts: counts)
    try beforeRename?()
    // rename(2) replaces an empty directory atomically.
    guard rename(temporary, directory) == 0 else {
      throw FeatureDBError.invalidArgument(
        "cannot rename the copy to \(directory): \(String(cString: strerror(errno)))")
    }
    done = true
    return CompactResult(bytesBefore: size(path), bytesAfter: size(directory))
  }

  /// The copy in `directory` is sound: its pages walk clean and each table holds `counts`.
  private func checkCopy(_ directory: String, counts: [String: Int]) throws {
    var options = StoreOptions(readOnly: true)
    options.create = false
    let copy = try FeatureStore(path: directory, options: options)
    try copy.checkStructure()
    try copy.readTransaction { txn in
      for table in copy.tables.all where try table.count(txn) != counts[table.name] {
        throw FeatureDBError.corruptStore(
          table: table.name,
          detail:
            "the compacted copy holds \(try table.count(txn)) records, the source \(counts[table.name] ?? 0)"
        )
      }
    }
  }

  /// Appends every record of `table` to the same table in `target`, in bounded transactions.
  private func copy(_ table: Table, from source: borrowing ReadTransaction, to target: Environment)
    throws
  {
    let destination = try target.write { txn in try Table.open(table.name, in: txn) }
    let cursor = try Cursor(table, source)
    var entry = try cursor.first()
    var chunk: [([UInt8], [UInt8])] = []
    var bytes = 0
    func flush() throws {
      try target.write { txn in
        for (k, v) in chunk { try destination.put(txn, key: k, value: v, flags: .append) }
      }
      chunk.removeAll(keepingCapacity: true)
      bytes = 0
    }
    while let (key, value) = entry {
      chunk.append((Array(key), Array(value)))
      bytes += key.count + value.count
      if chunk.count == 50_000 || bytes > 16 << 20 { try flush() }
      entry = try cursor.next()
    }
    try flush()
  }
}
