/// What ``FeatureStore/trainDictionary(feature:maxSamples:capacity:)`` made.
public struct DictionaryResult: Hashable, Sendable {
  /// The dictionary's number; new values of the feature are compressed with it.
  public var id: UInt64
  /// Size of the dictionary in bytes.
  public var bytes: Int
  /// Values it was trained on.
  public var samples: Int
}

extension FeatureStore {
  /// Trains a zstd dictionary from `feature`'s stored values; new writes of the feature use it.
  ///
  /// Dictionaries pay off for small, similar records (JSON-like strings, int8 embeddings) that
  /// zstd alone cannot compress because each record is too short to learn from. Values stored
  /// before keep the dictionary (or none) they were written with; dictionaries are never removed.
  ///
  /// - Throws: ``FeatureDBError/invalidArgument(_:)`` for float embeddings (their storage uses
  ///   no zstd) and when there are too few values to train on.
  @discardableResult
  public func trainDictionary(
    feature name: String, maxSamples: Int = 20_000, capacity: Int = 16 * 1024
  ) throws
    -> DictionaryResult
  {
    guard capacity >= 256, maxSamples >= 8 else {
      throw FeatureDBError.invalidArgument(
        "a dictionary needs capacity ≥ 256 bytes and ≥ 8 samples, got \(capacity) and \(maxSamples)"
      )
    }
    let samples = try readTransaction { txn -> [[UInt8]] in
      let feature = try catalog(txn).feature(name)
      if case .embedding = feature.type, feature.format.encoding != .int8 {
        throw FeatureDBError.invalidArgument(
          "feature '\(name)' stores \(feature.format.encoding.rawValue) embeddings, which use no zstd: a dictionary cannot help"
        )
      }
      return try dictionarySamples(feature, limit: maxSamples, txn)
    }
    guard samples.count >= 8, let bytes = Zstd.trainDictionary(samples: samples, capacity: capacity)
    else {
      throw FeatureDBError.invalidArgument(
        "feature '\(name)': \(samples.count) values are too few or too small to train a dictionary (zstd needs hundreds of values of 8 bytes or more)"
      )
    }
    return try writeTransaction("trainDictionary") { txn in
      let catalog = try catalog(txn)
      let feature = try catalog.feature(name)
      let cursor = try Cursor(tables.dicts, txn)
      var id: UInt64 = 1
      if let (key, _) = try cursor.last() {
        var r = ByteReader(key)
        id = (try OrderedVarint.read(&r)) + 1
      }
      try tables.dicts.put(txn, key: OrderedVarint.encode(id), value: bytes, flags: .append)
      var d = feature.definition
      d.dictionary = id
      try storeDefinition(d, id: feature.id, catalog: catalog, txn)
      return DictionaryResult(id: id, bytes: bytes.count, samples: samples.count)
    }
  }

  /// Payloads zstd would compress for `feature`: canonical bytes of strings and bytes, the codes
  /// of int8 embeddings; the newest version of each entity first.
  private func dictionarySamples(_ feature: Feature, limit: Int, _ txn: borrowing ReadTransaction)
    throws -> [[UInt8]]
  {
    var samples: [[UInt8]] = []
    let cursor = try Cursor(tables.chains, txn)
    var entry = try cursor.first()
    while let (key, value) = entry, samples.count < limit {
      entry = try cursor.next()
      guard let (entityID, featureID) = Keys.parseChain(key), featureID == feature.id else {
        continue
      }
      var reader = try ChainRecord.Reader(value, format: feature.format, epoch: epoch)
      while let e = try reader.next(), samples.count < limit {
        var canonical: [UInt8]?
        switch e.kind {
        case .tombstone: break
        case .inline:
          var r = ByteReader(value, offset: e.valueOffset)
          canonical = Array(try r.lengthPrefixed())
        case .external:
          let chainKey = Keys.chain(entity: entityID, feature: feature.id)
          if let record = try tables.values.get(
            txn, key: Keys.value(chain: chainKey, version: e.version))
          {
            canonical = try record.withUnsafeBytes { try storedCanonical($0, feature, txn) }
          }
        }
        guard var sample = canonical else { continue }
        if feature.format.encoding == .int8, case .embedding = feature.type {
          sample.removeFirst(8)
        }
        samples.append(sample)
      }
    }
    return samples
  }

  /// The dictionary numbered `id`, loaded once and cached.
  func dictionary(_ id: UInt64, _ txn: borrowing some Transaction & ~Copyable) throws
    -> ZstdDictionary
  {
    if let cached = dictionaryCache.withLock({ $0[id] }) { return cached }
    guard let bytes = try tables.dicts.get(txn, key: OrderedVarint.encode(id)) else {
      throw DecodeError("zstd dictionary \(id) is missing")
    }
    let dictionary = try ZstdDictionary(id: id, bytes: bytes, level: options.compressionLevel)
    dictionaryCache.withLock { $0[id] = dictionary }
    return dictionary
  }

  /// The canonical bytes of a `values` record of `feature` (checksum checked, dictionary resolved).
  func storedCanonical(
    _ record: UnsafeRawBufferPointer, _ feature: Feature,
    _ txn: borrowing some Transaction & ~Copyable
  )
    throws -> [UInt8]
  {
    let parsed = try ValueRecord.parse(record)
    let dictionary = try parsed.dictionary.map { try self.dictionary($0, txn) }
    return try ValueCodec.storedCanonical(
      feature.format, parsed, zstd: zstd, dictionary: dictionary)
  }
}
