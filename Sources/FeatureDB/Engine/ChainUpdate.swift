/// Applies new versions to one chain record: orders them, assigns version numbers, prunes to
/// `maxVersions` and encodes the new record.
struct ChainUpdate {
  /// An entry of the updated chain: kept from the old record or new.
  struct Piece {
    var version: UInt64
    var eventTime: Int64
    var isRetracted: Bool
    var isExternal: Bool
    /// Bytes range in the old record, for kept entries.
    var old: Range<Int>?
    /// Encoded new entry and its external value record, for new ones.
    var new: ChainRecord.NewEntry?
    var externalRecord: [UInt8]?

    /// Chain order: event time descending, then version descending.
    func sortsBefore(_ other: Piece) -> Bool {
      eventTime != other.eventTime ? eventTime > other.eventTime : version > other.version
    }
  }

  private(set) var header: ChainRecord.Header
  private(set) var pieces: [Piece]
  private var nextVersion: UInt64
  private let old: [UInt8]
  /// Versions pruned from the old record whose values live in the `values` table.
  private(set) var removedExternal: [UInt64] = []

  /// Starts from the existing record (`old`, possibly empty for a new chain).
  init(old: [UInt8], type: ValueType, epoch: Int64) throws {
    self.old = old
    if old.isEmpty {
      header = ChainRecord.Header()
      pieces = []
      nextVersion = 1
      return
    }
    var parsed: (ChainRecord.Header, [Piece]) = (ChainRecord.Header(), [])
    try old.withUnsafeBytes { buffer in
      var reader = try ChainRecord.Reader(buffer, type: type, epoch: epoch)
      var pieces: [Piece] = []
      while let e = try reader.next() {
        pieces.append(
          Piece(version: e.version, eventTime: e.eventTime, isRetracted: e.isRetracted,
                isExternal: e.kind == .external, old: e.range))
      }
      parsed = (reader.header, pieces)
    }
    (header, pieces) = parsed
    let highest = pieces.map(\.version).max() ?? 0
    nextVersion = max(header.nextVersion ?? 0, highest + 1)
  }

  /// Adds a new version; returns its number.
  mutating func add(_ entry: ChainRecord.NewEntry, externalRecord: [UInt8]?) -> UInt64 {
    var e = entry
    e.version = nextVersion
    nextVersion += 1
    let piece = Piece(version: e.version, eventTime: e.eventTime, isRetracted: false,
                      isExternal: e.kind == .external, new: e, externalRecord: externalRecord)
    let index = pieces.firstIndex { !$0.sortsBefore(piece) } ?? pieces.count
    pieces.insert(piece, at: index)
    return e.version
  }

  /// Removes the oldest active versions beyond `maxVersions` (0 = unlimited).
  mutating func prune(maxVersions: Int) {
    guard maxVersions > 0 else { return }
    var active = pieces.reduce(0) { $0 + ($1.isRetracted ? 0 : 1) }
    var i = pieces.count - 1
    while active > maxVersions, i >= 0 {
      let p = pieces[i]
      if !p.isRetracted {
        if header.pruned == nil {
          header.pruned = .first(p.eventTime)
        } else {
          header.pruned!.add(eventTime: p.eventTime)
        }
        if p.old != nil, p.isExternal { removedExternal.append(p.version) }
        pieces.remove(at: i)
        active -= 1
      }
      i -= 1
    }
  }

  /// New versions still in the chain that keep their value in the `values` table.
  var newExternalValues: [(version: UInt64, record: [UInt8])] {
    pieces.compactMap { p in p.externalRecord.map { (p.version, $0) } }
  }

  /// The encoded record.
  func encode(epoch: Int64) -> [UInt8] {
    var h = header
    let highest = pieces.map(\.version).max() ?? 0
    h.nextVersion = nextVersion == highest + 1 ? nil : nextVersion
    var w = ByteWriter(capacity: old.count + 64)
    ChainRecord.writeHeader(h, to: &w)
    for p in pieces {
      if let range = p.old {
        w.append(old[range])
      } else if let e = p.new {
        ChainRecord.writeEntry(e, epoch: epoch, to: &w)
      }
    }
    return w.bytes
  }
}
