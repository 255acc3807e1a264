import Foundation

extension FeatureStore {
  /// Operation `id` from the operations log (nil when there is none).
  func operation(_ id: UInt64, _ txn: borrowing some Transaction & ~Copyable) throws -> Operation? {
    guard let table = tables.v2?.operations,
      let bytes = try table.get(txn, key: OrderedVarint.encode(id))
    else { return nil }
    do {
      return try JSONDecoder().decode(Operation.self, from: Data(bytes))
    } catch {
      throw FeatureDBError.corruptStore(table: "operations", detail: "operation \(id) does not decode")
    }
  }

  /// Stores `op` in the operations log.
  func record(_ op: Operation, _ txn: borrowing WriteTransaction) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    try tables.lineage().operations.put(
      txn, key: OrderedVarint.encode(op.id), value: Array(try encoder.encode(op)))
  }

  /// The operations log, newest first.
  public func operations(limit: Int = 100) throws -> [Operation] {
    try readTransaction { txn in
      guard let table = tables.v2?.operations else { return [] }
      let cursor = try Cursor(table, txn)
      var out: [Operation] = []
      var entry = try cursor.last()
      while let (key, _) = entry, out.count < limit {
        guard let id = Keys.parseIDs(key, count: 1)?.first, let op = try operation(id, txn) else {
          throw FeatureDBError.corruptStore(table: "operations", detail: "undecodable key")
        }
        out.append(op)
        entry = try cursor.previous()
      }
      return out
    }
  }
}
