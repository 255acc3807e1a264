import FeatureDB

/// Everything the pipeline keeps for one user: the event window, each extractor's state, the
/// last value written of each feature (so unchanged values are not rewritten) and the newest
/// event time seen. One blob in the store per user (``FeatureDB/WriteBatch/setState(_:entity:namespace:)``).
final class UserState {
  let id: String
  var window = EventWindow()
  var states: [any ExtractorSlot]
  /// Last value written per feature (global feature index), nil before the first.
  var last: [FeatureValue?]
  /// Versions the pipeline wrote per feature: the latest one's number (the pipeline is the
  /// features' only writer), 0 before the first.
  var versions: [UInt64]
  /// Newest event time seen (µs); `Int64.min` before the first event.
  var newest = Int64.min
  /// The store's newest operation (rollback or undo) when ``last`` was known to agree with
  /// the store; a newer one may have retracted those values (see ``forgetLastValues(after:)``).
  var operations: UInt64 = 0
  /// Touched by the batch in hand.
  var dirty = false
  /// Where its pending writes start in the runner's table (per-batch mode), while dirty.
  var slot = 0
  /// Ids of its events in the batch in hand, in arrival order.
  var batchEvents: [String] = []

  init(id: String, extractors: [any FeatureExtractor], featureCount: Int) {
    self.id = id
    states = extractors.map { $0.makeSlot() }
    last = Array(repeating: nil, count: featureCount)
    versions = Array(repeating: 0, count: featureCount)
  }

  static let formatVersion: UInt8 = 2

  /// `u8` version (2), `u64` fingerprints of the extractors and of the feature names,
  /// `svarint` newest, `varint` operations (absent in version 1: 0), the window, per extractor a length-prefixed state, then the last values (tagged)
  /// and the version counts (varints).
  func encode(fingerprint: Fingerprint) -> [UInt8] {
    var w = StateWriter(capacity: 64 + window.count * 12)
    w.byte(Self.formatVersion)
    w.uint64(fingerprint.extractors)
    w.uint64(fingerprint.features)
    w.svarint(newest)
    w.varint(operations)
    window.encode(into: &w)
    w.varint(UInt64(states.count))
    for s in states {
      var inner = StateWriter()
      s.encode(into: &inner)
      w.varint(UInt64(inner.bytes.count))
      w.append(inner.bytes)
    }
    w.varint(UInt64(last.count))
    for v in last { encodeValue(v, &w) }
    for v in versions { w.varint(v) }
    return w.bytes
  }

  /// Decodes a blob. The window is always kept. When the extractors changed (names or
  /// versions) their states start afresh; when the feature list changed, the last values and
  /// version counts do too (the features are then other ones).
  init(
    id: String, bytes: [UInt8], extractors: [any FeatureExtractor], featureCount: Int,
    fingerprint: Fingerprint
  ) throws(PipelineError) {
    self.id = id
    states = extractors.map { $0.makeSlot() }
    last = Array(repeating: nil, count: featureCount)
    versions = Array(repeating: 0, count: featureCount)
    var r = StateReader(bytes)
    let format = try r.byte()
    guard format == 1 || format == Self.formatVersion else {
      throw .corruptState("user '\(id)': unknown state version \(format)")
    }
    let sameExtractors = try r.uint64() == fingerprint.extractors
    let sameFeatures = try r.uint64() == fingerprint.features
    newest = try r.svarint()
    if format >= 2 { operations = try r.varint() }
    window = try EventWindow(from: &r)
    let n = try r.count()
    for k in 0..<n {
      let length = try r.count()
      let bytes = try r.bytes(length)
      guard sameExtractors else { continue }
      guard n == extractors.count else { throw .corruptState("user '\(id)': extractor count") }
      var inner = StateReader(bytes)
      states[k] = try extractors[k].decodeSlot(&inner)
    }
    guard sameFeatures else { return }
    guard try r.count() == featureCount else { throw .corruptState("user '\(id)': feature count") }
    for f in 0..<featureCount { last[f] = try decodeValue(&r) }
    for f in 0..<featureCount { versions[f] = try r.varint() }
  }
}

extension UserState {
  /// Forgets the last values written when the store has had a rollback or undo since they
  /// were known (`newest` is the store's newest operation id): the next evaluation then
  /// writes every feature, so `latest` serves the pipeline's current values again rather than
  /// what the rollback left.
  func forgetLastValues(after newest: UInt64) {
    guard operations < newest else { return }
    last = Array(repeating: nil, count: last.count)
    operations = newest
  }
}

/// What a state blob was written with: its extractors (names and versions) and its features.
struct Fingerprint: Hashable {
  var extractors: UInt64
  var features: UInt64
}

/// A write held back until the end of the batch (per-batch coalescing).
struct PendingWrite {
  var value: FeatureValue
  var eventTime: Int64
  /// The user's batch events it covers: `batchEvents[from...upto]`.
  var from: Int32
  var upto: Int32
  /// Write even when equal to the value before the batch (a late event's as-of value).
  var force: Bool
  /// The feature's last written value before the batch.
  var before: FeatureValue?
}

private func encodeValue(_ v: FeatureValue?, _ w: inout StateWriter) {
  switch v {
  case nil: w.byte(0)
  case .int(let i)?:
    w.byte(1)
    w.svarint(i)
  case .double(let d)?:
    w.byte(2)
    w.double(d)
  case .bool(let b)?: w.byte(b ? 4 : 3)
  case .string(let s)?:
    w.byte(5)
    w.string(s)
  case .some(let other):  // bytes, embeddings: not produced by the pipeline's features
    w.byte(6)
    w.string(other.description)
  }
}

private func decodeValue(_ r: inout StateReader) throws(PipelineError) -> FeatureValue? {
  switch try r.byte() {
  case 0: return nil
  case 1: return .int(try r.svarint())
  case 2: return .double(try r.double())
  case 3: return .bool(false)
  case 4: return .bool(true)
  case 5: return .string(try r.string())
  case 6:
    _ = try r.string()
    return nil
  default: throw .corruptState("unknown value tag")
  }
}
