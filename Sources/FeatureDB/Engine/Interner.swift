/// Longest entity id accepted, in UTF-8 bytes: interned ids are whole LMDB keys (at most 511).
let maxEntityLength = 400
/// Longest lineage string (producer, run, source, raw input id) accepted, in UTF-8 bytes: like
/// entity ids they are interned, so each is a whole LMDB key.
let maxSymbolLength = 400

func validateEntity(_ entity: String) throws {
  if entity.isEmpty { throw FeatureDBError.invalidEntity(entity, reason: "it is empty") }
  if entity.utf8.count > maxEntityLength {
    throw FeatureDBError.invalidEntity(
      String(entity.prefix(40)) + "…",
      reason: "it is \(entity.utf8.count) bytes long; the limit is \(maxEntityLength)")
  }
}

/// Checks a state namespace or checkpoint name: 1 to 400 UTF-8 bytes (a whole key).
func validateName(_ name: String, _ what: String) throws {
  guard !name.isEmpty, name.utf8.count <= maxSymbolLength else {
    throw FeatureDBError.invalidArgument(
      "a \(what) is 1 to \(maxSymbolLength) bytes, got \(name.utf8.count)")
  }
}

/// One interned string space: a `name → id` table, an `id → name` table and a cache.
struct InternTable {
  let forward: Table
  let reverse: Table
  let cache: InternCache

  /// The id of `name`, or nil when it was never interned.
  func lookup(_ name: String, _ txn: borrowing some Transaction & ~Copyable) throws -> UInt64? {
    // Never interned, and not a valid LMDB key.
    if name.isEmpty || name.utf8.count > max(maxEntityLength, maxSymbolLength) { return nil }
    if let id = cache.get(name) { return id }
    var utf8 = name
    let id = try utf8.withUTF8 { key in
      try forward.withValue(txn, key: UnsafeRawBufferPointer(key)) { v -> UInt64? in
        guard let v else { return nil }
        var r = ByteReader(v)
        guard let id = try? OrderedVarint.read(&r), r.isAtEnd else {
          throw FeatureDBError.corruptStore(table: forward.name, detail: "bad id for '\(name)'")
        }
        return id
      }
    }
    if let id { cache.insert(CollectionOfOne((name, id))) }
    return id
  }

  /// The string interned as `id`.
  func name(_ id: UInt64, _ txn: borrowing some Transaction & ~Copyable) throws -> String {
    if let name = cache.name(id) { return name }
    guard let bytes = try reverse.get(txn, key: OrderedVarint.encode(id)) else {
      throw FeatureDBError.corruptStore(table: reverse.name, detail: "no entry for id \(id)")
    }
    let name = String(decoding: bytes, as: UTF8.self)
    cache.insert(CollectionOfOne((name, id)))
    return name
  }

  /// Highest id in use (0 when none).
  func lastID(_ txn: borrowing some Transaction & ~Copyable) throws -> UInt64 {
    let cursor = try Cursor(reverse, txn)
    guard let (key, _) = try cursor.last() else { return 0 }
    var r = ByteReader(key)
    guard let id = try? OrderedVarint.read(&r) else {
      throw FeatureDBError.corruptStore(table: reverse.name, detail: "undecodable key")
    }
    return id
  }
}

/// Interns strings inside one write transaction; new ids reach the caches only after commit.
struct PendingInterns {
  let table: InternTable
  private var next: UInt64 = 0
  private(set) var added: [(String, UInt64)] = []
  /// Ids of this transaction, keyed by UTF-8 bytes (a `Dictionary` would merge canonically
  /// equivalent ids that differ in bytes).
  private var local = StringTable<UInt64>()

  init(_ table: InternTable) { self.table = table }

  mutating func id(_ name: String, _ txn: borrowing WriteTransaction) throws -> UInt64 {
    if let id = local[name] { return id }
    if let id = table.cache.get(name) {
      local[name] = id
      return id
    }
    if next == 0 { next = try table.lastID(txn) + 1 }
    let candidate = next
    let idKey = OrderedVarint.encode(candidate)
    var utf8 = name
    // Inserts the name with the next id, or finds its id, in one search.
    let existing = try utf8.withUTF8 { key in
      try idKey.withUnsafeBytes { value in
        try table.forward.insertOrRead(txn, key: UnsafeRawBufferPointer(key), value: value) {
          stored in
          var r = ByteReader(stored)
          guard let id = try? OrderedVarint.read(&r), r.isAtEnd else {
            throw FeatureDBError.corruptStore(
              table: table.forward.name, detail: "bad id for '\(name)'")
          }
          return id
        }
      }
    }
    if let existing {
      local[name] = existing
      return existing
    }
    next += 1
    try table.reverse.put(txn, key: idKey, value: Array(name.utf8), flags: .append)
    local[name] = candidate
    added.append((name, candidate))
    return candidate
  }

  /// Publishes the new ids after the transaction committed.
  func publish() { table.cache.insert(added) }
}

extension FeatureStore {
  var entityTable: InternTable {
    InternTable(forward: tables.entities, reverse: tables.entityNames, cache: entityCache)
  }
  var symbolTable: InternTable {
    InternTable(forward: tables.symbols, reverse: tables.symbolNames, cache: symbolCache)
  }
}
