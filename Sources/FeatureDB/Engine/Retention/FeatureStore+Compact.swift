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
  /// - Throws: ``FeatureDBError/invalidArgument(_:)`` when `directory` exists and is not empty.
  @discardableResult
  public func compact(to directory: String) throws -> CompactResult {
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
    } else {
      do {
        try fm.createDirectory(
          atPath: directory, withIntermediateDirectories: false,
          attributes: [.posixPermissions: 0o700])
      } catch {
        throw FeatureDBError.permissionDenied(path: directory, detail: "cannot create directory")
      }
    }
    func size(_ dir: String) -> Int {
      ((try? fm.attributesOfItem(atPath: dir + "/data.mdb"))?[.size] as? Int) ?? 0
    }
    try lmdb("compact") {
      var targetOptions = env.options
      targetOptions.durability = .noSync
      targetOptions.readOnly = false
      targetOptions.mapSize = max(1 << 20, size(path) + size(path) / 8)
      let target = try Environment(path: directory, options: targetOptions)
      try env.read { source in
        for table in tables.all { try copy(table, from: source, to: target) }
      }
      try target.sync()
    }
    return CompactResult(bytesBefore: size(path), bytesAfter: size(directory))
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
