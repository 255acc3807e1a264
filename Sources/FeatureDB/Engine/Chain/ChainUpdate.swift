/// Applies new versions to one chain record (a head, or a segment when `isSegment`): orders
/// them, assigns version numbers, prunes to `maxVersions` and encodes the new record into a
/// reusable buffer. New versions older than every entry of a head that has segments go to
/// ``late`` instead, for ``ChainSegments`` to place.
///
/// New entries arrive pre-encoded without their version number (the "tail": everything after
/// the version varint), in a byte arena shared by the whole batch, so nothing is allocated per
/// version. Kept entries are copied from the old record as bytes.
struct ChainUpdate {
  /// An entry of the updated chain: a byte range in the old record or in the arena.
  struct Piece {
    var version: UInt64
    var eventTime: Int64
    var writeTime: Int64
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
  /// New versions that belong in the chain's segments (older than every head entry).
  var late: [Piece] = []
  /// A segment record: no header fields, no version numbering.
  var isSegment = false
  private var nextVersion: UInt64 = 1

  /// A head holding more entries than this moves its oldest ones to a new segment.
  static let headLimit = 96
  /// Entries a head keeps when it spills.
  static let headKeeps = 32
  /// A segment grown past this by late versions is split in two.
  static let segmentLimit = 128

  /// Resets to the state of `old` (nil for a new chain), keeping allocated capacity.
  mutating func reset(old: UnsafeRawBufferPointer?, format: ValueFormat, epoch: Int64)
    throws(DecodeError)
  {
    header = ChainRecord.Header()
    pieces.removeAll(keepingCapacity: true)
    late.removeAll(keepingCapacity: true)
    nextVersion = 1
    guard let old else { return }
    var reader = try ChainRecord.Reader(old, format: format, epoch: epoch)
    var highest: UInt64 = 0
    while let e = try reader.nextOutline() {
      pieces.append(
        Piece(
          version: e.version, eventTime: e.eventTime, writeTime: e.writeTime,
          isRetracted: e.isRetracted, isExternal: e.isExternal, isNew: false, bytes: e.range))
      highest = max(highest, e.version)
    }
    // No store writes 2⁶³ versions of one value: larger numbers come from a damaged record, and
    // adding versions to them would overflow.
    let limit: UInt64 = 1 << 63
    let h = reader.header
    let inSegments = h.segments?.maxVersion ?? 0
    guard highest < limit, h.nextVersion ?? 0 < limit, h.pruned?.count ?? 0 < limit,
      h.vacuumed?.count ?? 0 < limit, inSegments < limit, h.segments?.entries ?? 0 < limit
    else {
      throw DecodeError("version number or removed count beyond 2^63")
    }
    if isSegment, h != ChainRecord.Header() {
      throw DecodeError("a segment record with header fields")
    }
    header = h
    nextVersion = h.versionAfter(highest: highest)
  }

  /// Adds a new version whose tail lies at `tail` in the arena; returns its version number.
  mutating func add(eventTime: Int64, writeTime: Int64, isExternal: Bool, tail: Range<Int>)
    -> UInt64
  {
    let piece = Piece(
      version: nextVersion, eventTime: eventTime, writeTime: writeTime, isRetracted: false,
      isExternal: isExternal, isNew: true, bytes: tail)
    nextVersion += 1
    if header.segments != nil, pieces.last.map({ !piece.sortsBefore($0) }) ?? true {
      late.append(piece)
      header.segments!.entries += 1
      header.segments!.active += 1
      header.segments!.maxVersion = max(header.segments!.maxVersion, piece.version)
    } else {
      insert(piece)
    }
    return piece.version
  }

  /// Inserts a piece at its place in chain order.
  mutating func insert(_ piece: Piece) {
    // New versions usually carry the newest event time: check the front first.
    if pieces.isEmpty || piece.sortsBefore(pieces[0]) {
      pieces.insert(piece, at: 0)
    } else {
      let index = pieces.firstIndex { !$0.sortsBefore(piece) } ?? pieces.count
      pieces.insert(piece, at: index)
    }
  }

  /// Active (not retracted) entries of this record.
  var activeCount: Int { pieces.reduce(0) { $0 + ($1.isRetracted ? 0 : 1) } }

  /// Takes the oldest entries off a head holding more than ``headLimit``, for new segments
  /// (newer than every existing one) of at most ``segmentLimit`` / 2 entries each, newest
  /// first, and counts them in the segment summary.
  mutating func spill() -> [ArraySlice<Piece>] {
    guard !isSegment, pieces.count > Self.headLimit else { return [] }
    let moved = Array(pieces[Self.headKeeps...])
    pieces.removeSubrange(Self.headKeeps...)
    var s = header.segments ?? ChainRecord.SegmentSummary(entries: 0, active: 0, maxVersion: 0)
    s.entries += UInt64(moved.count)
    s.active += UInt64(moved.count { !$0.isRetracted })
    s.maxVersion = max(s.maxVersion, moved.reduce(0) { max($0, $1.version) })
    header.segments = s
    let size = Self.segmentLimit / 2
    return stride(from: 0, to: moved.count, by: size).map {
      moved[$0..<min($0 + size, moved.count)]
    }
  }

  /// How many of the oldest active versions beyond `maxVersions` (0 = unlimited) are in the
  /// segments, which are older than every head entry; takes them out of the segment summary
  /// (``ChainSegments/pruneOldest(_:)`` removes them).
  mutating func segmentsToPrune(maxVersions: Int) -> Int {
    guard maxVersions > 0, let s = header.segments else { return 0 }
    let excess = Int(clamping: UInt64(activeCount) &+ s.active) - maxVersions
    let n = max(0, min(excess, Int(clamping: s.active)))
    header.segments!.entries -= UInt64(n)
    header.segments!.active -= UInt64(n)
    return n
  }

  /// Removes the oldest active versions of this record beyond `maxVersions` (0 = unlimited),
  /// counting `segmentActive` older active versions first; returns them.
  mutating func prune(maxVersions: Int, segmentActive: Int = 0) -> [Piece] {
    guard maxVersions > 0 else { return [] }
    var active = activeCount + segmentActive
    guard active > maxVersions else { return [] }
    var removed: [Piece] = []
    var i = pieces.count - 1
    while active > maxVersions, i >= 0 {
      if !pieces[i].isRetracted {
        let p = pieces.remove(at: i)
        ChainRecord.RemovedRange.add(p.eventTime, writeTime: p.writeTime, to: &header.pruned)
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
    ChainRecord.RemovedRange.add(p.eventTime, writeTime: p.writeTime, to: &header.vacuumed)
    return p
  }

  /// Encodes the record into `out` (cleared first).
  func encode(old: UnsafeRawBufferPointer?, arena: [UInt8], into out: inout ByteWriter) {
    out.bytes.removeAll(keepingCapacity: true)
    var h = header
    let highest = pieces.reduce(0) { max($0, $1.version) }
    h.nextVersion = isSegment || nextVersion == highest + 1 ? nil : nextVersion
    if h.segments?.entries == 0 { h.segments = nil }
    ChainRecord.writeHeader(h, to: &out)
    // Kept entries that lie next to each other in `old` (usually all of them) are copied as
    // one range.
    var kept = 0..<0
    func copyKept() {
      if let old, !kept.isEmpty { out.append(UnsafeRawBufferPointer(rebasing: old[kept])) }
    }
    for p in pieces {
      if p.isNew {
        copyKept()
        kept = 0..<0
        out.varint(p.version)
        out.append(arena[p.bytes])
      } else if !kept.isEmpty, kept.upperBound == p.bytes.lowerBound {
        kept = kept.lowerBound..<p.bytes.upperBound
      } else {
        copyKept()
        kept = p.bytes
      }
    }
    copyKept()
    ChainRecord.seal(&out)
  }
}
