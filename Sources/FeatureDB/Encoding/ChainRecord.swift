/// A record of a version chain: the head of one (feature, entity) in `chains`, or one of its
/// older segments in `segments`. Entries are ordered by event time descending, then version
/// descending — so the first active entry of the head is the latest. A segment is a record whose
/// header has no fields (flags 0).
///
/// Layout (see docs/format.md):
/// ```
/// header: u8 flags (bit0 nextVersion, bit1 pruned, bit2 vacuumed, bit3 segments, bit4 pruned
///         write time, bit5 vacuumed write time; others 0)
///         u32le CRC-32C of every byte after it
///         [varint nextVersion] [removed range: pruned] [removed range: vacuumed]
///         [segments: varint entries, varint active, varint maxVersion]
///         [svarint pruned minWriteTime] [svarint vacuumed minWriteTime]
/// entry*: varint version, u8 entry flags, svarint writeTime−epoch, svarint eventTime−writeTime,
///         [varint producer] [varint run] [varint source] [varint source line]
///         [varint len, extra], [inline value]
/// ```
enum ChainRecord {
  struct Header: Equatable {
    /// Set when the next version is not (highest retained version + 1).
    var nextVersion: UInt64?
    var pruned: RemovedRange?
    var vacuumed: RemovedRange?
    /// What the chain's segments hold; nil when every entry is in the head.
    var segments: SegmentSummary?

    /// The version number the chain gives next, for a head whose highest version is `highest`
    /// (docs/format.md, *Version numbers*).
    func versionAfter(highest: UInt64) -> UInt64 {
      max(nextVersion ?? 0, highest &+ 1, (segments?.maxVersion ?? 0) &+ 1)
    }
  }

  /// The head's account of its segments, so retention and history need not read them.
  struct SegmentSummary: Equatable {
    /// Entries in all segments.
    var entries: UInt64
    /// Of those, the ones not retracted.
    var active: UInt64
    /// No segment entry has a higher version number (a bound: pruning and vacuum leave it).
    var maxVersion: UInt64
  }

  /// What retention removed from a chain: how many versions, their event-time span and the
  /// earliest write time among them.
  struct RemovedRange: Equatable {
    var count: UInt64
    var minEventTime: Int64
    var maxEventTime: Int64
    /// The earliest write time of a removed version; nil when unknown (a range begun by format
    /// 1). A read at an earlier write time never saw any of them.
    var minWriteTime: Int64? = nil

    /// Whether a removed version was written at or before `writeTime` (true when unknown): a
    /// read at an earlier write time never saw any of them.
    func written(by writeTime: Int64) -> Bool {
      minWriteTime.map { $0 <= writeTime } ?? true
    }

    /// Adds a removed version's times to `range` (creating it).
    static func add(_ eventTime: Int64, writeTime: Int64, to range: inout RemovedRange?) {
      guard var r = range else {
        range = RemovedRange(
          count: 1, minEventTime: eventTime, maxEventTime: eventTime, minWriteTime: writeTime)
        return
      }
      r.count += 1
      r.minEventTime = min(r.minEventTime, eventTime)
      r.maxEventTime = max(r.maxEventTime, eventTime)
      r.minWriteTime = r.minWriteTime.map { min($0, writeTime) }  // unknown stays unknown
      range = r
    }
  }

  enum Kind: UInt8 {
    case inline = 0
    case tombstone = 1
    case external = 2
  }

  /// Entry flag bits.
  enum Flag {
    static let kindMask: UInt8 = 0b11
    static let retracted: UInt8 = 1 << 2
    static let producer: UInt8 = 1 << 3
    static let run: UInt8 = 1 << 4
    static let source: UInt8 = 1 << 5
    static let extra: UInt8 = 1 << 6
    static let sourceLine: UInt8 = 1 << 7
  }

  /// One parsed entry: its fields and where its bytes lie in the record.
  struct Entry {
    /// Version, flags, times and where the entry lies.
    var outline: Outline
    var producer: UInt64 = 0
    var run: UInt64 = 0
    var source: UInt64 = 0
    /// Line of `source` (a file) the value came from; 0 = none.
    var sourceLine: UInt64 = 0
    var extra: Range<Int>? = nil
    /// Offset of the inline value (meaningful for `.inline`).
    var valueOffset: Int

    var range: Range<Int> { outline.range }
    var version: UInt64 { outline.version }
    var flags: UInt8 { outline.flags }
    var writeTime: Int64 { outline.writeTime }
    var eventTime: Int64 { outline.eventTime }
    var kind: Kind { Kind(rawValue: flags & Flag.kindMask)! }
    var isRetracted: Bool { outline.isRetracted }
    var isTombstone: Bool { kind == .tombstone }
  }

  // MARK: - Reading

  /// Whether a head record has segments (read from its flags byte, before any checksum check).
  static func hasSegments(_ record: UnsafeRawBufferPointer) -> Bool {
    record.count > 0 && record[0] & 8 != 0
  }

  /// Lends a head record (nil: none) to `body`, copied out of the map when it has segments: a
  /// write rewrites those segments before the head, and writing may move the page the map
  /// pointer names.
  static func withStableHead<R>(
    _ head: UnsafeRawBufferPointer?, _ body: (UnsafeRawBufferPointer?) throws -> R
  ) rethrows -> R {
    guard let head, hasSegments(head) else { return try body(head) }
    return try Array(head).withUnsafeBytes { try body($0) }
  }

  /// Walks a chain record's entries in stored order without allocating.
  struct Reader {
    private var reader: ByteReader
    let header: Header
    let format: ValueFormat
    let epoch: Int64

    /// - Parameter checksum: false only to salvage what a damaged record names (diagnostics).
    init(_ buffer: UnsafeRawBufferPointer, format: ValueFormat, epoch: Int64, checksum: Bool = true)
      throws(DecodeError)
    {
      var r = ByteReader(buffer)
      let flags = try r.byte()
      guard flags & ~0b11_1111 == 0 else { throw DecodeError("unknown chain flags \(flags)") }
      let stored = try r.uint32LE()
      if checksum, stored != CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[r.offset...]))
      {
        throw DecodeError(
          "checksum mismatch" + Self.salvagedVersions(buffer, format: format, epoch: epoch))
      }
      var h = Header()
      if flags & 1 != 0 { h.nextVersion = try r.varint() }
      if flags & 2 != 0 { h.pruned = try Self.readRange(&r) }
      if flags & 4 != 0 { h.vacuumed = try Self.readRange(&r) }
      if flags & 8 != 0 {
        h.segments = SegmentSummary(
          entries: try r.varint(), active: try r.varint(), maxVersion: try r.varint())
        guard h.segments!.active <= h.segments!.entries else {
          throw DecodeError("segment summary counts more active entries than entries")
        }
      }
      if flags & 16 != 0 {
        guard h.pruned != nil else { throw DecodeError("a write time for no pruned range") }
        h.pruned!.minWriteTime = try r.signedVarint()
      }
      if flags & 32 != 0 {
        guard h.vacuumed != nil else { throw DecodeError("a write time for no vacuumed range") }
        h.vacuumed!.minWriteTime = try r.signedVarint()
      }
      self.header = h
      self.reader = r
      self.format = format
      self.epoch = epoch
    }

    private static func readRange(_ r: inout ByteReader) throws(DecodeError) -> RemovedRange {
      RemovedRange(
        count: try r.varint(), minEventTime: try r.signedVarint(),
        maxEventTime: try r.signedVarint())
    }

    var buffer: UnsafeRawBufferPointer { reader.buffer }

    /// " (the record names versions A…B)" when a damaged record still parses, else "".
    private static func salvagedVersions(
      _ buffer: UnsafeRawBufferPointer, format: ValueFormat, epoch: Int64
    ) -> String {
      guard var r = try? Reader(buffer, format: format, epoch: epoch, checksum: false),
        let all = try? r.all(),
        let lo = all.map(\.version).min(), let hi = all.map(\.version).max()
      else { return "" }
      return lo == hi
        ? " (the record holds version \(lo))" : " (the record holds versions \(lo)…\(hi))"
    }

    /// Event time of the last entry returned by ``next()`` (`.max` before the first).
    private(set) var lastEventTime: Int64 = .max

    /// The next entry, or nil at the end of the record.
    mutating func next() throws(DecodeError) -> Entry? {
      if reader.isAtEnd { return nil }
      let e = try ChainRecord.readEntry(&reader, format: format, epoch: epoch)
      lastEventTime = e.eventTime
      return e
    }

    /// The next entry's outline, or nil at the end of the record.
    mutating func nextOutline() throws(DecodeError) -> Outline? {
      if reader.isAtEnd { return nil }
      let o = try ChainRecord.readOutline(&reader, type: format.type, epoch: epoch)
      lastEventTime = o.eventTime
      return o
    }

    /// Decodes the inline value of `entry`.
    func inlineValue(_ entry: Entry) throws(DecodeError) -> FeatureValue {
      var r = ByteReader(reader.buffer, offset: entry.valueOffset)
      return try ValueCodec.readInline(format, &r)
    }

    /// All remaining entries.
    mutating func all() throws(DecodeError) -> [Entry] {
      var out: [Entry] = []
      while let e = try next() { out.append(e) }
      return out
    }
  }

  /// Reads one entry (version number first) at `reader`'s position: a chain record's, or a
  /// change record's (docs/format.md).
  static func readEntry(_ reader: inout ByteReader, format: ValueFormat, epoch: Int64)
    throws(DecodeError) -> Entry
  {
    var e = Entry(outline: try readStart(&reader, epoch: epoch), valueOffset: 0)
    let flags = e.flags
    if flags & Flag.producer != 0 { e.producer = try reader.varint() }
    if flags & Flag.run != 0 { e.run = try reader.varint() }
    if flags & Flag.source != 0 { e.source = try reader.varint() }
    if flags & Flag.sourceLine != 0 { e.sourceLine = try reader.varint() }
    if flags & Flag.extra != 0 {
      let n = try reader.count(limit: reader.remaining)
      e.extra = reader.offset..<reader.offset + n
      try reader.skip(n)
    }
    e.valueOffset = reader.offset
    if e.kind == .inline { try ValueCodec.skipInline(format.type, &reader) }
    e.outline.range = e.range.lowerBound..<reader.offset
    return e
  }

  /// An entry's version, flags, times and extent: what a chain update needs of it.
  struct Outline: Equatable {
    var range: Range<Int>
    var version: UInt64
    var flags: UInt8
    var writeTime: Int64
    var eventTime: Int64

    var isRetracted: Bool { flags & Flag.retracted != 0 }
    var isExternal: Bool { flags & Flag.kindMask == Kind.external.rawValue }
  }

  /// Reads one entry's outline at `reader`'s position, stepping over its lineage and value with
  /// the same checks as ``readEntry(_:format:epoch:)`` but without decoding them.
  static func readOutline(_ reader: inout ByteReader, type: ValueType, epoch: Int64)
    throws(DecodeError) -> Outline
  {
    var o = try readStart(&reader, epoch: epoch)
    let flags = o.flags
    if flags & Flag.producer != 0 { _ = try reader.varint() }
    if flags & Flag.run != 0 { _ = try reader.varint() }
    if flags & Flag.source != 0 { _ = try reader.varint() }
    if flags & Flag.sourceLine != 0 { _ = try reader.varint() }
    if flags & Flag.extra != 0 { try reader.skip(try reader.count(limit: reader.remaining)) }
    if flags & Flag.kindMask == Kind.inline.rawValue {
      try ValueCodec.skipInline(type, &reader)
    }
    o.range = o.range.lowerBound..<reader.offset
    return o
  }

  /// The fields every entry starts with (version, flags, write and event time), checked; the
  /// outline's range ends where they end.
  @inline(__always)
  private static func readStart(_ reader: inout ByteReader, epoch: Int64) throws(DecodeError)
    -> Outline
  {
    let start = reader.offset
    let version = try reader.varint()
    let flags = try reader.byte()
    guard flags & Flag.kindMask <= 2 else {
      throw DecodeError("bad entry flags \(flags) at byte \(start)")
    }
    let (writeTime, o1) = (try reader.signedWideVarint()).addingReportingOverflow(epoch)
    let (eventTime, o2) = (try reader.signedWideVarint()).addingReportingOverflow(writeTime)
    guard !o1, !o2 else { throw DecodeError("time overflow at byte \(start)") }
    return Outline(
      range: start..<reader.offset, version: version, flags: flags, writeTime: writeTime,
      eventTime: eventTime)
  }

  // MARK: - Writing

  /// Writes the header at the start of `w`, with a checksum placeholder that ``seal(_:)`` fills
  /// once the entries follow.
  static func writeHeader(_ h: Header, to w: inout ByteWriter) {
    var flags: UInt8 = 0
    if h.nextVersion != nil { flags |= 1 }
    if h.pruned != nil { flags |= 2 }
    if h.vacuumed != nil { flags |= 4 }
    if h.segments != nil { flags |= 8 }
    if h.pruned?.minWriteTime != nil { flags |= 16 }
    if h.vacuumed?.minWriteTime != nil { flags |= 32 }
    w.byte(flags)
    w.uint32LE(0)
    if let v = h.nextVersion { w.varint(v) }
    if let r = h.pruned { writeRange(r, to: &w) }
    if let r = h.vacuumed { writeRange(r, to: &w) }
    if let s = h.segments {
      w.varint(s.entries)
      w.varint(s.active)
      w.varint(s.maxVersion)
    }
    if let t = h.pruned?.minWriteTime { w.signedVarint(t) }
    if let t = h.vacuumed?.minWriteTime { w.signedVarint(t) }
  }

  /// Stores the checksum of a complete record written with ``writeHeader(_:to:)``.
  static func seal(_ w: inout ByteWriter) {
    let crc = w.bytes.withUnsafeBytes {
      CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[5...]))
    }
    w.bytes.withUnsafeMutableBytes {
      $0.storeBytes(of: crc.littleEndian, toByteOffset: 1, as: UInt32.self)
    }
  }

  private static func writeRange(_ r: RemovedRange, to w: inout ByteWriter) {
    w.varint(r.count)
    w.signedVarint(r.minEventTime)
    w.signedVarint(r.maxEventTime)
  }

  /// Writes the tail (every field after the version number) of `entry` of `record` again with
  /// another retracted bit and, in its extra part, operation `op` (when given) added to the
  /// status list `status`.
  static func rewriteTail(
    _ entry: Entry, _ record: UnsafeRawBufferPointer, retracted: Bool,
    status: LineageStatusList, adding op: UInt64?, to w: inout ByteWriter
  ) {
    var flags = entry.flags & ~(Flag.retracted | Flag.extra)
    if retracted { flags |= Flag.retracted }
    if entry.extra != nil || op != nil { flags |= Flag.extra }
    w.byte(flags)
    let fieldsStart = entry.range.lowerBound + ByteWriter.varintSize(entry.version) + 1
    let fieldsEnd =
      entry.extra.map { $0.lowerBound - ByteWriter.varintSize(UInt64($0.count)) }
      ?? entry.valueOffset
    w.append(UnsafeRawBufferPointer(rebasing: record[fieldsStart..<fieldsEnd]))
    status.writeLengthPrefixed(adding: op, to: &w)
    w.append(UnsafeRawBufferPointer(rebasing: record[entry.valueOffset..<entry.range.upperBound]))
  }

  /// Writes an entry's tail: every field after the version number.
  static func writeEntryTail(
    kind: Kind, writeTime: Int64, eventTime: Int64, lineage: borrowing EncodedLineage,
    sourceLine: UInt64, epoch: Int64, to w: inout ByteWriter
  ) {
    var flags = kind.rawValue
    if lineage.producer != 0 { flags |= Flag.producer }
    if lineage.run != 0 { flags |= Flag.run }
    if lineage.source != 0 { flags |= Flag.source }
    if sourceLine != 0 { flags |= Flag.sourceLine }
    if !lineage.extra.isEmpty { flags |= Flag.extra }
    w.byte(flags)
    w.signedVarint(writeTime &- epoch)
    w.signedVarint(eventTime &- writeTime)
    if lineage.producer != 0 { w.varint(lineage.producer) }
    if lineage.run != 0 { w.varint(lineage.run) }
    if lineage.source != 0 { w.varint(lineage.source) }
    if sourceLine != 0 { w.varint(sourceLine) }
    if !lineage.extra.isEmpty { w.lengthPrefixed(lineage.extra) }
  }
}

/// A version's lineage by interned ids (0 = absent) and its encoded extra part.
struct EncodedLineage: Sendable {
  var producer: UInt64 = 0
  var run: UInt64 = 0
  var source: UInt64 = 0
  var extra: [UInt8] = []
  /// The inputs `extra` encodes (for the lineage indexes).
  var inputs: [LineageExtra.Input] = []
  /// The run id `run` interns.
  var runName: String?

  /// Whether the lineage indexes have anything to record for it.
  var isIndexed: Bool { run != 0 || !inputs.isEmpty }
}
