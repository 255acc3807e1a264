/// An embedding as stored, before decoding: the encoding's canonical bytes (see docs/encoding.md).
public struct EncodedEmbedding: Hashable, Sendable {
  /// How ``bytes`` are encoded.
  public var encoding: EmbeddingEncoding
  /// Number of components.
  public var dims: Int
  /// float32: 4 × dims bytes; float16/bfloat16: 2 × dims; int8: f32 min, f32 scale, dims codes.
  public var bytes: [UInt8]

  /// Encodes `vector` (finite components) in `encoding`.
  ///
  /// - Throws: ``FeatureDBError/invalidValue(feature:entity:reason:)`` (with empty feature and
  ///   entity) naming the first component outside the encoding's range.
  public init(_ vector: [Float], encoding: EmbeddingEncoding) throws {
    var bytes: [UInt8] = []
    do {
      try EmbeddingCodec.encode(vector, encoding, into: &bytes)
    } catch {
      throw FeatureDBError.invalidValue(
        feature: "", entity: "",
        reason: "embedding component \(error.component) is \(error.value), outside \(error.limit)")
    }
    self.init(encoding: encoding, dims: vector.count, bytes: bytes)
  }

  /// Wraps bytes already in `encoding`'s canonical form; they are checked only when decoded.
  public init(encoding: EmbeddingEncoding, dims: Int, bytes: [UInt8]) {
    self.encoding = encoding
    self.dims = dims
    self.bytes = bytes
  }

  /// The decoded vector.
  public func decoded() throws -> [Float] {
    var out = [Float](repeating: 0, count: dims)
    try out.withUnsafeMutableBufferPointer { try decode(into: $0) }
    return out
  }

  /// Decodes into `buffer`, which must hold exactly `dims` floats; allocates nothing.
  public func decode(into buffer: UnsafeMutableBufferPointer<Float>) throws {
    guard buffer.count == dims else {
      throw FeatureDBError.invalidArgument(
        "the buffer holds \(buffer.count) floats; the embedding has \(dims)")
    }
    do {
      try bytes.withUnsafeBytes { try EmbeddingCodec.decode($0, encoding, into: buffer) }
    } catch let error as DecodeError {
      throw FeatureDBError.invalidArgument(
        "cannot decode the \(encoding.rawValue) embedding: \(error.description)")
    }
  }
}

extension Snapshot {
  /// The latest embedding of `feature` without decoding it (nil when there is none).
  public func latestEncodedEmbedding(_ feature: String, _ entity: String) throws
    -> EncodedEmbedding?
  {
    let f = try catalog.feature(feature)
    guard case .embedding(let dims) = f.type else {
      throw FeatureDBError.invalidArgument("feature '\(feature)' is \(f.type), not an embedding")
    }
    return try resolve(f, entity, Query(upper: .max, reference: now.microseconds)) { hit in
      guard let hit, let bytes = try canonicalBytes(of: hit) else { return nil }
      return EncodedEmbedding(encoding: f.definition.encoding, dims: dims, bytes: bytes)
    }
  }

  /// Decodes the latest embedding of `feature` into `buffer` (exactly dims floats), allocating
  /// nothing for float32 and inline values. Returns false when there is none.
  public func latestEmbedding(
    _ feature: String, _ entity: String, into buffer: UnsafeMutableBufferPointer<Float>
  ) throws
    -> Bool
  {
    guard let encoded = try latestEncodedEmbedding(feature, entity) else { return false }
    try encoded.decode(into: buffer)
    return true
  }

  /// The canonical value bytes of a hit (nil for a tombstone).
  func canonicalBytes(of hit: Hit) throws -> [UInt8]? {
    let (entry, feature) = (hit.entry, hit.feature)
    return try corruptionNamed(feature, hit.entity, version: entry.version) { () -> [UInt8]? in
      switch entry.kind {
      case .tombstone: return nil
      case .inline:
        var r = ByteReader(hit.reader.buffer, offset: entry.valueOffset)
        return Array(try r.lengthPrefixed())
      case .external:
        guard case .embedding = feature.type else { return nil }
        let key = Keys.value(
          chain: Keys.chain(entity: hit.entityID, feature: feature.id), version: entry.version)
        return try store.tables.values.get(self, key: key).map { record in
          try record.withUnsafeBytes { try store.storedCanonical($0, feature, self) }
        } ?? { throw DecodeError("value record is missing") }()
      }
    }
  }
}
