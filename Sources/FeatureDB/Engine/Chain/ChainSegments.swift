/// The older entries of one chain, in `segments` records keyed by their last (oldest) entry,
/// changed inside a write transaction.
///
/// Every segment entry sorts after every head entry, and each segment's entries after the
/// previous segment's, so a chain read in order is: the head, then its segments in key order.
/// Each operation copies the segment records it changes out of the map before writing.
struct ChainSegments: ~Copyable {
  let chainKey: [UInt8]
  let format: ValueFormat
  let epoch: Int64
  private let cursor: Cursor
  fileprivate var update = ChainUpdate()
  private var record = ByteWriter(capacity: 4096)

  init(
    _ table: Table, chainKey: [UInt8], format: ValueFormat, epoch: Int64,
    _ txn: borrowing WriteTransaction
  ) throws {
    self.chainKey = chainKey
    self.format = format
    self.epoch = epoch
    cursor = try Cursor(table, txn)
    update.isSegment = true
  }

  /// The key of a segment whose last entry is `piece`.
  private func key(_ piece: ChainUpdate.Piece) -> [UInt8] {
    Keys.segment(chain: chainKey, lastEventTime: piece.eventTime, lastVersion: piece.version)
  }

  private func isOurs(_ key: UnsafeRawBufferPointer) -> Bool { Keys.isSegment(key, of: chainKey) }

  /// Loads the segment at the cursor into `update`; returns an owned copy of its bytes.
  fileprivate mutating func load(_ entry: Cursor.Entry) throws -> [UInt8] {
    let bytes = Array(entry.value)
    try bytes.withUnsafeBytes { try update.reset(old: $0, format: format, epoch: epoch) }
    update.isSegment = true
    guard let last = update.pieces.last,
      Keys.parseSegment(entry.key, chainLength: chainKey.count).map({
        $0 == (last.eventTime, last.version)
      }) == true
    else { throw DecodeError("segment key does not name its last entry") }
    return bytes
  }

  /// Writes `update`'s pieces as one or two segments (split past ``ChainUpdate/segmentLimit``),
  /// deleting the segment stored under `oldKey` unless one of them takes its key.
  fileprivate mutating func store(old: [UInt8], arena: [UInt8], replacing oldKey: [UInt8]?)
    throws
  {
    let pieces = update.pieces
    let halves =
      pieces.count > ChainUpdate.segmentLimit
      ? [pieces[..<(pieces.count / 2)], pieces[(pieces.count / 2)...]] : [pieces[...]]
    var keys: [[UInt8]] = []
    for half in halves { if let last = half.last { keys.append(key(last)) } }
    if let oldKey, !keys.contains(oldKey) { _ = try deleteKey(oldKey) }
    var i = 0
    for half in halves where !half.isEmpty {
      update.pieces = Array(half)
      old.withUnsafeBytes { update.encode(old: $0, arena: arena, into: &record) }
      try put(keys[i], record.bytes)
      i += 1
    }
    update.pieces = pieces
  }

  private func put(_ key: [UInt8], _ value: [UInt8]) throws {
    try key.withUnsafeBytes { k in try value.withUnsafeBytes { try cursor.put(key: k, value: $0) } }
  }

  private func deleteKey(_ key: [UInt8]) throws -> Bool {
    try key.withUnsafeBytes { k in
      guard try cursor.find(k) != nil else { return false }
      try cursor.deleteCurrent()
      return true
    }
  }

  /// Positions at the segment that holds, or would hold, the entry (eventTime, version): the
  /// newest segment whose last entry is not newer; else the oldest segment. Nil: no segments.
  private func seek(eventTime: Int64, version: UInt64) throws -> Cursor.Entry? {
    let k = Keys.segment(chain: chainKey, lastEventTime: eventTime, lastVersion: version)
    if let e = try k.withUnsafeBytes({ try cursor.seek($0) }), isOurs(e.key) { return e }
    return try oldest()
  }

  /// Positions at the chain's oldest segment (the last key with the chain's prefix).
  private func oldest() throws -> Cursor.Entry? {
    let past = chainKey + [UInt8](repeating: 0xFF, count: 17)
    let after = try past.withUnsafeBytes { try cursor.seek($0) }
    let e = after == nil ? try cursor.last() : try cursor.previous()
    guard let e, isOurs(e.key) else { return nil }
    return e
  }

  /// Writes `pieces` (new versions older than every head entry; tails in `arena`) into the
  /// segments they belong to.
  mutating func insert(_ pieces: [ChainUpdate.Piece], arena: [UInt8]) throws {
    for piece in pieces {
      guard let entry = try seek(eventTime: piece.eventTime, version: piece.version) else {
        // No segment yet (the head was emptied): the piece starts one.
        update.pieces = [piece]
        try store(old: [], arena: arena, replacing: nil)
        continue
      }
      let oldKey = Array(entry.key)
      let old = try load(entry)
      update.insert(piece)
      try store(old: old, arena: arena, replacing: oldKey)
    }
  }

  /// A new segment of `pieces` (the head's oldest entries, bytes in `head` or `arena`): its key
  /// and record, encoded before anything is written (they may point into the map).
  static func encode(
    _ pieces: ArraySlice<ChainUpdate.Piece>, chainKey: [UInt8], head: UnsafeRawBufferPointer?,
    arena: [UInt8]
  ) -> (key: [UInt8], record: [UInt8]) {
    var update = ChainUpdate()
    update.isSegment = true
    update.pieces = Array(pieces)
    var record = ByteWriter(capacity: 2048)
    update.encode(old: head, arena: arena, into: &record)
    let last = pieces.last!
    let key = Keys.segment(
      chain: chainKey, lastEventTime: last.eventTime, lastVersion: last.version)
    return (key, record.bytes)
  }

  /// Writes segments made by ``encode(_:chainKey:head:arena:)``.
  func write(_ segments: [(key: [UInt8], record: [UInt8])]) throws {
    for s in segments { try put(s.key, s.record) }
  }

  /// Removes the `count` oldest active entries, oldest segment first; returns them.
  mutating func pruneOldest(_ count: Int, arena: [UInt8]) throws -> [ChainUpdate.Piece] {
    var removed: [ChainUpdate.Piece] = []
    var entry = try oldest()
    while removed.count < count, let e = entry {
      let oldKey = Array(e.key)
      let old = try load(e)
      var i = update.pieces.count - 1
      while removed.count < count, i >= 0 {
        if !update.pieces[i].isRetracted { removed.append(update.pieces.remove(at: i)) }
        i -= 1
      }
      try store(old: old, arena: arena, replacing: oldKey)
      var anchor = oldKey
      if let last = update.pieces.last { anchor = key(last) }
      entry = try newer(than: anchor)
    }
    guard removed.count == count else {
      throw DecodeError("segments hold \(removed.count) active entries; the head counts \(count)")
    }
    return removed
  }

  /// The segment just newer than the one keyed `key` (which may be gone).
  private func newer(than key: [UInt8]) throws -> Cursor.Entry? {
    let at = try key.withUnsafeBytes { try cursor.seek($0) }
    guard let e = at == nil ? try cursor.last() : try cursor.previous(), isOurs(e.key) else {
      return nil
    }
    return e
  }

  /// Finds version `version` (event time `eventTime` when known) in the segments and removes
  /// it when `condition` holds; returns it and whether it was removed.
  mutating func remove(
    version: UInt64, eventTime: Int64?, if condition: (ChainUpdate.Piece) -> Bool
  ) throws -> (piece: ChainUpdate.Piece, removed: Bool)? {
    if let eventTime, let e = try seek(eventTime: eventTime, version: version),
      let found = try remove(version, at: e, if: condition)
    {
      return found
    }
    // The hint missed (the TTL changed since): look through every segment.
    var entry = try newest()
    while let e = entry {
      if let found = try remove(version, at: e, if: condition) { return found }
      entry = try cursor.next().flatMap { isOurs($0.key) ? $0 : nil }
    }
    return nil
  }

  private mutating func remove(
    _ version: UInt64, at entry: Cursor.Entry, if condition: (ChainUpdate.Piece) -> Bool
  ) throws -> (piece: ChainUpdate.Piece, removed: Bool)? {
    let oldKey = Array(entry.key)
    let old = try load(entry)
    guard let i = update.pieces.firstIndex(where: { $0.version == version }) else { return nil }
    let piece = update.pieces[i]
    guard condition(piece) else { return (piece, false) }
    update.pieces.remove(at: i)
    try store(old: old, arena: [], replacing: oldKey)
    return (piece, true)
  }

  /// The key of the segment holding, or that would hold, the entry (eventTime, version).
  fileprivate func locate(eventTime: Int64, version: UInt64) throws -> [UInt8]? {
    try seek(eventTime: eventTime, version: version).map { Array($0.key) }
  }

  /// Keys of every segment of the chain, newest first.
  fileprivate func allKeys() throws -> [[UInt8]] {
    var keys: [[UInt8]] = []
    var entry = try newest()
    while let e = entry {
      keys.append(Array(e.key))
      entry = try cursor.next().flatMap { isOurs($0.key) ? $0 : nil }
    }
    return keys
  }

  fileprivate func cursorFind(_ key: UnsafeRawBufferPointer) throws -> Cursor.Entry? {
    try cursor.find(key)
  }

  private func newest() throws -> Cursor.Entry? {
    guard let e = try chainKey.withUnsafeBytes({ try cursor.seek($0) }), isOurs(e.key) else {
      return nil
    }
    return e
  }
}

extension ChainSegments {
  /// Rewrites entries in place (event times and versions unchanged, so keys stay): calls
  /// `edit` with each segment — every one, or only those holding the `(eventTime, version)`
  /// entries of `only` — loaded into an update, and stores the segments it changed. `wanted`,
  /// given a segment in place, says whether `edit` may change it (false: it is not loaded).
  mutating func edit(
    only: [(eventTime: Int64, version: UInt64)]?, arena: inout ByteWriter,
    wanted: (UnsafeRawBufferPointer) throws -> Bool,
    _ edit: (UnsafeRawBufferPointer, inout ChainUpdate, inout ByteWriter) throws -> Bool
  ) throws {
    var keys: [[UInt8]] = []
    if let only {
      // Newest first: while an entry is not older than the oldest entry of the segment found
      // for the one before, it is in that segment, and needs no seek.
      var seen: Set<[UInt8]> = []
      var oldest: (Int64, UInt64)?
      for (e, v) in only.sorted(by: { ($0.eventTime, $0.version) > ($1.eventTime, $1.version) }) {
        if let o = oldest, (e, v) >= o { continue }
        guard let found = try locate(eventTime: e, version: v) else { continue }
        oldest = found.withUnsafeBytes { Keys.parseSegment($0, chainLength: chainKey.count) }
        if seen.insert(found).inserted { keys.append(found) }
      }
    } else {
      keys = try allKeys()
    }
    for key in keys {
      guard let entry = try key.withUnsafeBytes({ try cursorFind($0) }), try wanted(entry.value)
      else { continue }
      let old = try load(entry)
      let changed = try old.withUnsafeBytes { try edit($0, &update, &arena) }
      if changed { try store(old: old, arena: arena.bytes, replacing: nil) }
    }
  }
}
