/// How a feature's values are encoded: its type and, for embeddings, the encoding.
struct ValueFormat: Hashable, Sendable {
  var type: ValueType
  var encoding: EmbeddingEncoding = .float32
}

/// Value bytes for each ``ValueType``, as stored inline in a chain entry or in the `values` table.
///
/// Canonical bytes per type:
/// - int: zigzag LEB128 varint
/// - double: 8 bytes, IEEE 754 bit pattern, little-endian
/// - bool: 1 byte, 0 or 1
/// - string: UTF-8 bytes; bytes: the bytes
/// - embedding: ``EmbeddingCodec``'s canonical bytes for the feature's encoding
///
/// Inline, variable-length types are length-prefixed (varint). In the `values` table, an
/// embedding is stored in ``EmbeddingStorage``'s form, anything else as its canonical bytes.
enum ValueCodec {
  /// Canonical bytes up to this size are stored inline in the chain entry; larger ones in `values`
  /// (but see ``keepsInline(canonical:record:maxVersions:)``).
  static let inlineLimit = 64
  /// In a short chain, canonical bytes up to this size may be inline too.
  static let shortChainInlineLimit = 512

  /// Whether a value larger than ``inlineLimit`` is nevertheless stored inline: its feature keeps
  /// at most 2 versions (a chain record of at most two such values stays well inside one LMDB
  /// node), it is at most ``shortChainInlineLimit`` bytes, and its value record would be no
  /// smaller than the canonical bytes plus the record's 5-byte header (compression gains
  /// nothing, as for int8 embeddings). A second key, node and record per version then cost
  /// more than they save.
  static func keepsInline(canonical: Int, record: Int, maxVersions: Int) -> Bool {
    (1...2).contains(maxVersions) && canonical <= shortChainInlineLimit
      && record >= canonical + ValueRecord.headerBytes
  }

  /// Whether values of `type` have a fixed inline encoding without a length prefix.
  static func isFixed(_ type: ValueType) -> Bool {
    switch type {
    case .int, .double, .bool: true
    default: false
    }
  }

  /// The canonical bytes of `value`, which must already match `format.type`.
  static func canonical(_ value: FeatureValue, _ format: ValueFormat) throws(EmbeddingCodec
    .RangeError) -> [UInt8]
  {
    var w = ByteWriter(capacity: 16)
    switch value {
    case .int(let v): w.signedVarint(v)
    case .double(let v): w.uint64LE(v.bitPattern)
    case .bool(let v): w.byte(v ? 1 : 0)
    case .string(let s): w.append(s.utf8)
    case .bytes(let b): w.append(b)
    case .embedding(let v): try EmbeddingCodec.encode(v, format.encoding, into: &w.bytes)
    }
    return w.bytes
  }

  /// Appends a scalar, string or bytes value as stored inline. Returns false (appending
  /// nothing) for embeddings and for values larger than ``inlineLimit``; those go through
  /// ``canonical(_:_:)``.
  static func writeInline(_ value: FeatureValue, to w: inout ByteWriter) -> Bool {
    switch value {
    case .int(let v): w.signedVarint(v)
    case .double(let v): w.uint64LE(v.bitPattern)
    case .bool(let v): w.byte(v ? 1 : 0)
    case .string(let s) where s.utf8.count <= inlineLimit: w.lengthPrefixed(s.utf8)
    case .bytes(let b) where b.count <= inlineLimit: w.lengthPrefixed(b)
    default: return false
    }
    return true
  }

  /// Reads an inline value of `format` from `reader`.
  @inline(__always)
  static func readInline(_ format: ValueFormat, _ reader: inout ByteReader) throws(DecodeError)
    -> FeatureValue
  {
    switch format.type {
    case .int: return .int(try reader.signedVarint())
    case .double: return .double(Double(bitPattern: try reader.uint64LE()))
    case .bool: return try bool(reader.byte())
    default: return try decode(format, reader.lengthPrefixed())
    }
  }

  /// Skips an inline value of `type`.
  @inline(__always)
  static func skipInline(_ type: ValueType, _ reader: inout ByteReader) throws(DecodeError) {
    switch type {
    case .int: _ = try reader.varint()
    case .double: try reader.skip(8)
    case .bool: try reader.skip(1)
    default: _ = try reader.lengthPrefixed()
    }
  }

  /// Decodes canonical bytes of `format`.
  static func decode(_ format: ValueFormat, _ bytes: UnsafeRawBufferPointer) throws(DecodeError)
    -> FeatureValue
  {
    var r = ByteReader(bytes)
    let value: FeatureValue
    switch format.type {
    case .int: value = .int(try r.signedVarint())
    case .double: value = .double(Double(bitPattern: try r.uint64LE()))
    case .bool: value = try bool(r.byte())
    case .string:
      guard let s = String(validating: bytes, as: UTF8.self) else {
        throw DecodeError("string value is not valid UTF-8")
      }
      return .string(s)
    case .bytes: return .bytes(Array(bytes))
    case .embedding(let dims):
      var failure: DecodeError?
      let v = [Float](unsafeUninitializedCapacity: dims) { out, n in
        do throws(DecodeError) {
          try EmbeddingCodec.decode(bytes, format.encoding, into: out)
          n = dims
        } catch {
          failure = error
          n = 0
        }
      }
      if let failure { throw failure }
      return .embedding(v)
    }
    guard r.isAtEnd else {
      throw DecodeError("\(r.remaining) trailing bytes after \(format.type) value")
    }
    return value
  }

  /// The canonical bytes of a value record.
  static func storedCanonical(
    _ format: ValueFormat, _ record: ValueRecord.Parsed, zstd: Zstd, dictionary: ZstdDictionary?
  )
    throws(DecodeError) -> [UInt8]
  {
    if record.dictionary != nil, dictionary == nil {
      throw DecodeError("dictionary \(record.dictionary!) is missing")
    }
    if case .embedding(let dims) = format.type {
      guard !record.isCompressed else {
        throw DecodeError("embedding record flagged as one zstd frame")
      }
      return try EmbeddingStorage.unpack(
        record.body, format.encoding, dims: dims, zstd: zstd, dictionary: dictionary)
    }
    guard record.isCompressed else { return Array(record.body) }
    return try zstd.decompress(record.body, limit: 1 << 30, dictionary: dictionary)
  }

  /// The value record of canonical bytes (`values` table), compressed where that pays,
  /// with `dictionary` when given.
  static func stored(
    _ canonical: [UInt8], _ format: ValueFormat, zstd: Zstd, dictionary: ZstdDictionary?
  ) -> [UInt8] {
    if case .embedding = format.type {
      let (packed, usedDictionary) = EmbeddingStorage.pack(
        canonical, format.encoding, zstd: zstd, dictionary: dictionary)
      return ValueRecord.encode(
        body: packed, isCompressed: false, dictionary: usedDictionary ? dictionary?.id : nil)
    }
    if let frame = zstd.compressIfSmaller(canonical, dictionary: dictionary) {
      return ValueRecord.encode(body: frame, isCompressed: true, dictionary: dictionary?.id)
    }
    return ValueRecord.encode(body: canonical, isCompressed: false, dictionary: nil)
  }

  private static func bool(_ b: UInt8) throws(DecodeError) -> FeatureValue {
    guard b <= 1 else { throw DecodeError("bool byte is \(b)") }
    return .bool(b == 1)
  }
}
