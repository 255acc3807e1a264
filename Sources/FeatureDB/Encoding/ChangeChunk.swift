/// A chunk of the change feed: consecutive change records of one transaction, stored in
/// `changes` under the sequence number of its first record.
///
/// Layout (see docs/format.md, *changes*):
/// ```
/// key:    u64be sequence number of the first record
/// value:  u8 flags (bit0: payload is one zstd frame), varint record count,
///         svarint commit time − epoch, payload
/// record: u8 kind, varint feature, then by kind
///         1 written:   varint entity, chain entry (as in `chains`; an external value stays in
///                      `values`, not copied)
///         2 retracted: varint entity, varint version, varint rollback
///         3 restored:  varint entity, varint version, varint undo, varint rollback
///         4 pruned, 5 expired: varint entity, varint version
///         6 defined:   varint len, definition JSON (as in `features`)
/// ```
enum ChangeChunk {
  /// What a record says happened.
  enum Kind: UInt8 {
    case written = 1
    case retracted = 2
    case restored = 3
    case pruned = 4
    case expired = 5
    case defined = 6
  }

  /// Flag bit: the payload is one zstd frame with its content size.
  static let compressed: UInt8 = 1
  /// Records per chunk at most; a transaction with more writes several chunks.
  static let maxRecords = 4_096
  /// Payload bytes per chunk at most (a record is never split).
  static let maxPayload = 256 * 1024
  /// Decompressed payload bytes accepted at most: a chunk ends once it holds ``maxPayload``
  /// bytes, so its last record (an inline value, a definition) goes somewhat beyond that.
  static let maxDecompressed = 16 << 20
  /// A payload shorter than this is stored as is.
  static let compressFrom = 128

  /// The key of the chunk whose first record has sequence number `sequence`.
  static func key(_ sequence: UInt64) -> [UInt8] {
    withUnsafeBytes(of: sequence.bigEndian) { Array($0) }
  }

  /// The sequence number a chunk key holds, nil when it is not 8 bytes.
  static func sequence(_ key: UnsafeRawBufferPointer) -> UInt64? {
    guard key.count == 8 else { return nil }
    return UInt64(bigEndian: key.loadUnaligned(as: UInt64.self))
  }

  /// A chunk's value: the header, then the payload (compressed when that saves bytes).
  static func encode(
    payload: ArraySlice<UInt8>, count: Int, time: Int64, epoch: Int64, zstd: Zstd
  ) -> [UInt8] {
    var w = ByteWriter(capacity: payload.count / 2 + 16)
    let packed = payload.count >= compressFrom ? zstd.compressIfSmaller(Array(payload)) : nil
    w.byte(packed == nil ? 0 : compressed)
    w.varint(UInt64(count))
    w.signedVarint(time &- epoch)
    if let packed { w.append(packed) } else { w.append(payload) }
    return w.bytes
  }

  /// A chunk's header, and its payload decompressed.
  struct Decoded {
    var count: Int
    var time: Int64
    var payload: [UInt8]
  }

  /// Decodes a chunk's header (checked) and payload; the records are read by ``Reader``.
  static func decode(_ value: UnsafeRawBufferPointer, epoch: Int64, zstd: Zstd)
    throws(DecodeError) -> Decoded
  {
    var r = ByteReader(value)
    let flags = try r.byte()
    guard flags & ~compressed == 0 else { throw DecodeError("unknown chunk flags \(flags)") }
    let count = try r.count(limit: maxRecords)
    guard count > 0 else { throw DecodeError("a chunk with no records") }
    let (time, overflow) = try r.signedVarint().addingReportingOverflow(epoch)
    guard !overflow else { throw DecodeError("chunk time overflows") }
    let rest = try r.bytes(r.remaining)
    let payload =
      flags & compressed != 0 ? try zstd.decompress(rest, limit: maxDecompressed) : Array(rest)
    return Decoded(count: count, time: time, payload: payload)
  }

  /// One decoded record; entry offsets point into the payload.
  struct Record {
    var kind: Kind
    var feature: UInt64
    var entity: UInt64 = 0
    var version: UInt64 = 0
    /// The operation: the rollback of a retraction, the undo of a restore.
    var operation: UInt64 = 0
    /// The rollback a restore undid.
    var undone: UInt64 = 0
    /// A written version's chain entry.
    var entry: ChainRecord.Entry?
    /// A definition's JSON.
    var bytes: Range<Int>?
  }

  /// Reads the records of a decoded payload in order, bounds-checked.
  struct Reader {
    private var reader: ByteReader
    private let epoch: Int64
    /// The value format of a feature id (a written record's inline value is skipped by it).
    private let format: (UInt64) throws -> ValueFormat

    init(
      _ payload: UnsafeRawBufferPointer, epoch: Int64,
      format: @escaping (UInt64) throws -> ValueFormat
    ) {
      reader = ByteReader(payload)
      self.epoch = epoch
      self.format = format
    }

    var buffer: UnsafeRawBufferPointer { reader.buffer }

    /// The next record, nil at the end of the payload.
    mutating func next() throws -> Record? {
      if reader.isAtEnd { return nil }
      let at = reader.offset
      guard let kind = Kind(rawValue: try reader.byte()) else {
        throw DecodeError("unknown change kind at byte \(at)")
      }
      var record = Record(kind: kind, feature: try reader.varint())
      switch kind {
      case .written:
        record.entity = try reader.varint()
        let entry = try ChainRecord.readEntry(
          &reader, format: try format(record.feature), epoch: epoch)
        record.version = entry.version
        record.entry = entry
      case .retracted, .restored:
        record.entity = try reader.varint()
        record.version = try reader.varint()
        record.operation = try reader.varint()
        if kind == .restored { record.undone = try reader.varint() }
      case .pruned, .expired:
        record.entity = try reader.varint()
        record.version = try reader.varint()
      case .defined:
        record.bytes = try lengthPrefixed()
      }
      return record
    }

    private mutating func lengthPrefixed() throws(DecodeError) -> Range<Int> {
      let n = try reader.count(limit: reader.remaining)
      let start = reader.offset
      try reader.skip(n)
      return start..<start + n
    }
  }
}
