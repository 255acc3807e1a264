/// Applies new versions to one chain record: orders them, assigns version numbers, prunes to
/// `maxVersions` and encodes the new record into a reusable buffer.
///
/// New entries arrive pre-encoded without their version number (the "tail": everything after
/// the version varint), in a byte arena shared by the whole batch, so nothing is allocated per
/// version. Kept entries are copied from the old record as bytes.
struct ChainUpdate {
  /// An entry of the updated chain: a byte range in the old record or in the arena.
  struct Piece {
    var version: UInt64
    var eventTime: Int64
    var isRetracted: Bool
    var isExternal: Bool
    var isNew: Bool
    var bytes: Range<Int>

    /// Chain order: event time descending, then version descending.
    func sortsBefore(_ other: Piece) -> Bool {
      eventTime != other.eventTime ? eventTime > other.eventTime : version > other.version
    }
  }

  var header = ChainRecord.Header()
  var pieces: [Piece] = []
  private var nextVersion: UInt64 = 1

  /// Resets to the state of `old` (nil for a new chain), keeping allocated capacity.
  mutating func reset(old: UnsafeRawBufferPointer?, format: ValueFormat, epoch: Int64)
    throws(DecodeError)
  {
    header = ChainRecord.Header()
    pieces.removeAll(keepingCapacity: true)
    nextVersion = 1
    guard let old else { return }
    var reader = try ChainRecord.Reader(old, format: format, epoch: epoch)
    var highest: UInt64 = 0
    while let e = try reader.next() {
      pieces.append(
        Piece(
          version: e.version, eventTime: e.eventTime, isRetracted: e.isRetracted,
          isExternal: e.kind == .external, isNew: false, bytes: e.range))
      highest = max(highest, e.version)
    }
    // No store writes 2⁶³ versions of one value: larger numbers come from a damaged record, and
    // adding versions to them would overflow.
    let limit: UInt64 = 1 << 63
    let h = reader.header
    guard highest < limit, h.nextVersion ?? 0 < limit, h.pruned?.count ?? 0 < limit,
      h.vacuumed?.count ?? 0 < limit
    else {
      throw DecodeError("version number or removed count beyond 2^63")
    }
    header = h
    nextVersion = max(header.nextVersion ?? 0, highest + 1)
  }

  /// Adds a new version whose tail lies at `tail` in the arena; returns its version number.
  mutating func add(eventTime: Int64, isExternal: Bool, tail: Range<Int>) -> UInt64 {
    let piece = Piece(
      version: nextVersion, eventTime: eventTime, isRetracted: false,
      isExternal: isExternal, isNew: true, bytes: tail)
    nextVersion += 1
    // New versions usually carry the newest event time: check the front first.
    if pieces.isEmpty || piece.sortsBefore(pieces[0]) {
      pieces.insert(piece, at: 0)
    } else {
      let index = pieces.firstIndex { !$0.sortsBefore(piece) } ?? pieces.count
      pieces.insert(piece, at: index)
    }
    return piece.version
  }

  /// Removes the oldest active versions beyond `maxVersions` (0 = unlimited); returns them.
  mutating func prune(maxVersions: Int) -> [Piece] {
    guard maxVersions > 0 else { return [] }
    var active = pieces.reduce(0) { $0 + ($1.isRetracted ? 0 : 1) }
    guard active > maxVersions else { return [] }
    var removed: [Piece] = []
    var i = pieces.count - 1
    while active > maxVersions, i >= 0 {
      if !pieces[i].isRetracted {
        let p = pieces.remove(at: i)
        ChainRecord.RemovedRange.add(p.eventTime, to: &header.pruned)
        removed.append(p)
        active -= 1
      }
      i -= 1
    }
    return removed
  }

  /// Removes version `version` as expired (vacuum); returns it, or nil when the chain lacks it.
  mutating func vacuum(version: UInt64) -> Piece? {
    guard let i = pieces.firstIndex(where: { $0.version == version }) else { return nil }
    let p = pieces.remove(at: i)
    ChainRecord.RemovedRange.add(p.eventTime, to: &header.vacuumed)
    return p
  }

  /// Encodes the record into `out` (cleared first).
  func encode(old: UnsafeRawBufferPointer?, arena: [UInt8], into out: inout ByteWriter) {
    out.bytes.removeAll(keepingCapacity: true)
    var h = header
    let highest = pieces.reduce(0) { max($0, $1.version) }
    h.nextVersion = nextVersion == highest + 1 ? nil : nextVersion
    ChainRecord.writeHeader(h, to: &out)
    for p in pieces {
      if p.isNew {
        out.varint(p.version)
        out.append(arena[p.bytes])
      } else if let old {
        out.append(UnsafeRawBufferPointer(rebasing: old[p.bytes]))
      }
    }
    ChainRecord.seal(&out)
  }
}
