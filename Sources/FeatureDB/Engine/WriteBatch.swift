/// Writes collected by ``FeatureStore/write(_:)-b05u`` and committed together in one transaction:
/// all of them or none.
///
/// ```swift
/// try db.write { batch in
///   batch.lineage = Lineage(producer: "extract.temporal@1.2.0", run: "run-42")
///   batch.put("user.sessions_1h", "u1", 3)
///   batch.put("user.spend_7d", "u1", 12.5, eventTime: eventTime)
///   batch.delete("user.segment", "u2")
/// }
/// ```
public struct WriteBatch: Sendable {
  /// Lineage for every write that does not give its own.
  public var lineage: Lineage = .none
  /// Event time for every write that does not give its own; nil means the commit time.
  public var eventTime: Timestamp?

  struct Operation: Sendable {
    var feature: String
    var entity: String
    /// nil writes a tombstone.
    var value: FeatureValue?
    var eventTime: Timestamp?
    var lineage: Lineage?
    /// Line of the lineage's source file (imports); 0 = none.
    var sourceLine: UInt64 = 0
  }

  var operations: [Operation] = []
  /// Per-entity state blobs to store (nil removes), by (entity, namespace).
  var states: [(entity: String, namespace: String, bytes: [UInt8]?)] = []
  /// Named checkpoints to store (nil bytes: remove).
  var checkpoints: [(name: String, bytes: [UInt8]?)] = []

  /// An empty batch with no lineage and no event time.
  public init() {}

  /// Number of writes collected.
  public var count: Int { operations.count }

  /// Stores an opaque state blob for `entity` under `namespace` (e.g. a pipeline's window
  /// state), replacing the one there, in the batch's transaction: the state and the versions
  /// derived with it commit together or not at all. Read it with ``Snapshot/state(entity:namespace:)``.
  public mutating func setState(_ bytes: [UInt8], entity: String, namespace: String) {
    states.append((entity, namespace, bytes))
  }

  /// Removes the state blob of `entity` under `namespace`.
  public mutating func removeState(entity: String, namespace: String) {
    states.append((entity, namespace, nil))
  }

  /// Stores a named checkpoint (e.g. an input file's identity and byte offset) in the batch's
  /// transaction, so input consumed and output written commit together: exactly once.
  public mutating func setCheckpoint(_ name: String, _ bytes: [UInt8]) {
    checkpoints.append((name, bytes))
  }

  /// Removes the checkpoint named `name` (nothing when there is none), in the batch's
  /// transaction. A batch applies its checkpoint writes and removals in the order they were
  /// added, so the last one of a name wins.
  public mutating func removeCheckpoint(_ name: String) {
    checkpoints.append((name, nil))
  }

  /// Writes a new version of `feature` for `entity`.
  public mutating func put(
    _ feature: String, _ entity: String, _ value: FeatureValue, eventTime: Timestamp? = nil,
    lineage: Lineage? = nil
  ) {
    operations.append(
      Operation(
        feature: feature, entity: entity, value: value, eventTime: eventTime, lineage: lineage))
  }

  /// Writes a new version from a Swift value (`Double`, `Int`, `String`, `Bool`, `[Float]`, `[UInt8]`).
  public mutating func put<V: FeatureValueConvertible>(
    _ feature: String, _ entity: String, _ value: V, eventTime: Timestamp? = nil,
    lineage: Lineage? = nil
  ) {
    put(feature, entity, value.featureValue, eventTime: eventTime, lineage: lineage)
  }

  /// Writes a tombstone: reads at or after `eventTime` see no value.
  public mutating func delete(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, lineage: Lineage? = nil
  ) {
    operations.append(
      Operation(
        feature: feature, entity: entity, value: nil, eventTime: eventTime, lineage: lineage))
  }

  /// Writes every stored property of `object` as the feature of the same name for `entity`;
  /// nil optionals are skipped.
  public mutating func put<T: Encodable>(
    entity: String, _ object: T, eventTime: Timestamp? = nil, lineage: Lineage? = nil
  ) throws {
    for (name, value) in try FeatureRecordEncoder.encode(object) {
      put(name, entity, value, eventTime: eventTime, lineage: lineage)
    }
  }
}
