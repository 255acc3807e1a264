/// Per-entity state blobs and named checkpoints: what a stream processor keeps beside the
/// features it writes, committed in the same transaction (see ``WriteBatch/setState(_:entity:namespace:)``).
///
/// Stored as `u32le` CRC-32C of the bytes, then the bytes (docs/format.md, `states` and
/// `checkpoints`).
enum StateRecord {
  static func encode(_ bytes: [UInt8]) -> [UInt8] {
    var w = ByteWriter(capacity: bytes.count + 4)
    w.uint32LE(bytes.withUnsafeBytes { CRC32C.checksum($0) })
    w.append(bytes)
    return w.bytes
  }

  static func decode(_ record: UnsafeRawBufferPointer) throws(DecodeError) -> [UInt8] {
    var r = ByteReader(record)
    let crc = try r.uint32LE()
    let body = UnsafeRawBufferPointer(rebasing: record[4...])
    guard crc == CRC32C.checksum(body) else { throw DecodeError("checksum mismatch") }
    return Array(body)
  }
}

extension WriteContext {
  /// Stores the batch's state blobs and checkpoints.
  mutating func applyStates(_ batch: WriteBatch, _ txn: borrowing WriteTransaction) throws {
    guard !batch.states.isEmpty || !batch.checkpoints.isEmpty else { return }
    let v2 = try store.tables.lineage()
    for s in batch.states {
      let key = Keys.ids(try entities.id(s.entity, txn), try symbols.id(s.namespace, txn))
      if let bytes = s.bytes {
        try v2.states.put(txn, key: key, value: StateRecord.encode(bytes))
      } else {
        _ = try v2.states.delete(txn, key: key)
      }
    }
    for c in batch.checkpoints {
      if let bytes = c.bytes {
        try v2.checkpoints.put(txn, key: Array(c.name.utf8), value: StateRecord.encode(bytes))
      } else {
        _ = try v2.checkpoints.delete(txn, key: Array(c.name.utf8))
      }
    }
  }
}

extension Snapshot {
  /// The state blob of `entity` under `namespace`, or nil.
  ///
  /// - Throws: ``FeatureDBError/corruptStore(table:detail:)`` when its checksum fails.
  public func state(entity: String, namespace: String) throws -> [UInt8]? {
    guard let table = store.tables.v2?.states,
      let e = try store.entityTable.lookup(entity, self),
      let n = try store.symbolTable.lookup(namespace, self)
    else { return nil }
    return try record(table, Keys.ids(e, n), "entity '\(entity)' namespace '\(namespace)'")
  }

  /// The checkpoint named `name`, or nil.
  public func checkpoint(_ name: String) throws -> [UInt8]? {
    guard let table = store.tables.v2?.checkpoints, !name.isEmpty,
      name.utf8.count <= maxSymbolLength
    else { return nil }
    return try record(table, Array(name.utf8), "checkpoint '\(name)'")
  }

  /// The checkpoints whose names start with `prefix`, in name order (UTF-8 bytes), with their
  /// bytes: a range read of the `checkpoints` table, so it costs about the checkpoints listed.
  ///
  /// ```swift
  /// for (name, bytes) in try db.read({ try $0.checkpoints(prefix: "pipeline:user.:") }) { … }
  /// ```
  ///
  /// - Parameters:
  ///   - prefix: only names that start with it ("": all).
  ///   - limit: at most this many, the first in name order (nil: all).
  /// - Throws: ``FeatureDBError/corruptStore(table:detail:)`` when one's checksum fails.
  public func checkpoints(prefix: String, limit: Int? = nil) throws -> [(
    name: String, bytes: [UInt8]
  )] {
    guard let table = store.tables.v2?.checkpoints, limit ?? 1 > 0 else { return [] }
    let start = Array(prefix.utf8)
    let cursor = try Cursor(table, self)
    var entry =
      start.isEmpty ? try cursor.first() : try start.withUnsafeBytes { try cursor.seek($0) }
    var out: [(name: String, bytes: [UInt8])] = []
    while let (key, value) = entry, key.starts(with: start) {
      let name = String(decoding: key, as: UTF8.self)
      do { out.append((name, try StateRecord.decode(value))) } catch {
        throw FeatureDBError.corruptStore(
          table: table.name, detail: "checkpoint '\(name)': \(error)")
      }
      if out.count == limit { break }
      entry = try cursor.next()
    }
    return out
  }

  private func record(_ table: Table, _ key: [UInt8], _ what: String) throws -> [UInt8]? {
    try key.withUnsafeBytes { k in
      try table.withValue(self, key: k) { v in
        guard let v else { return nil }
        do { return try StateRecord.decode(v) } catch {
          throw FeatureDBError.corruptStore(table: table.name, detail: "\(what): \(error)")
        }
      }
    }
  }
}

extension FeatureStore {
  /// The state blob of `entity` under `namespace`; see ``Snapshot/state(entity:namespace:)``.
  public func state(entity: String, namespace: String) throws -> [UInt8]? {
    try read { try $0.state(entity: entity, namespace: namespace) }
  }

  /// The checkpoint named `name`; see ``Snapshot/checkpoint(_:)``.
  public func checkpoint(_ name: String) throws -> [UInt8]? {
    try read { try $0.checkpoint(name) }
  }

  /// The checkpoints whose names start with `prefix`; see ``Snapshot/checkpoints(prefix:limit:)``.
  public func checkpoints(prefix: String, limit: Int? = nil) throws -> [(
    name: String, bytes: [UInt8]
  )] {
    try read { try $0.checkpoints(prefix: prefix, limit: limit) }
  }
}
