// Codable structs whose properties are features of one entity, with a namespace prefix: the
// property `spend_7d` is the feature `user.spend_7d` under `prefix: "user."`. Feature names
// often hold dots, which Swift property names cannot; the prefix saves hand-written CodingKeys.

extension WriteBatch {
  /// Writes every stored property of `object` as the feature named `prefix` + the property's
  /// coding key, for `entity`; nil optionals are skipped.
  ///
  /// ```swift
  /// struct User: Codable { var spend_7d: Double; var segment: String }
  /// try db.write { batch in
  ///   try batch.put(entity: "u1", User(spend_7d: 12.5, segment: "loyal"), prefix: "user.")
  /// }   // writes user.spend_7d and user.segment
  /// ```
  public mutating func put<T: Encodable>(
    entity: String, _ object: T, prefix: String, eventTime: Timestamp? = nil,
    lineage: Lineage? = nil
  ) throws {
    for (name, value) in try FeatureRecordEncoder.encode(object) {
      put(prefix + name, entity, value, eventTime: eventTime, lineage: lineage)
    }
  }
}

extension FeatureStore {
  /// Writes every stored property of `object` as the feature `prefix` + property name for
  /// `entity`, in one transaction; see ``WriteBatch/put(entity:_:prefix:eventTime:lineage:)``.
  ///
  /// ```swift
  /// struct User: Codable { var spend_7d: Double; var segment: String }
  /// try db.put(entity: "u1", User(spend_7d: 12.5, segment: "loyal"), prefix: "user.")
  /// let user = try db.read(User.self, entity: "u1", prefix: "user.")
  /// ```
  @discardableResult
  public func put<T: Encodable>(
    entity: String, _ object: T, prefix: String, eventTime: Timestamp? = nil,
    lineage: Lineage = .none
  ) throws -> [VersionRef] {
    try write {
      try $0.put(entity: entity, object, prefix: prefix, eventTime: eventTime, lineage: lineage)
    }
  }

  /// Decodes a `Decodable` struct from the latest values of the features named `prefix` +
  /// property name of `entity`; see ``Snapshot/read(_:entity:prefix:)``.
  public func read<T: Decodable>(_ type: T.Type, entity: String, prefix: String) throws -> T {
    try read { try $0.read(type, entity: entity, prefix: prefix) }
  }
}

extension Snapshot {
  /// Decodes a `Decodable` struct whose property `p` is the feature `prefix` + `p` of `entity`
  /// (latest values). A missing feature decodes as nil for an optional property and throws
  /// `DecodingError.keyNotFound` otherwise.
  public func read<T: Decodable>(_ type: T.Type, entity: String, prefix: String) throws -> T {
    var values: [String: FeatureValue] = [:]
    for (name, value) in try latestAll(entity: entity) where name.hasPrefix(prefix) {
      values[String(name.dropFirst(prefix.count))] = value
    }
    return try FeatureRecordDecoder.decode(type, from: values)
  }
}
