import FeatureDB

/// Everything the pipeline keeps for one user: the event window, each extractor's state, the
/// number of versions written of each feature and the newest event time seen, in one blob in
/// the store per user (`WriteBatch.setState(_:entity:namespace:)`); and in memory
/// only, the value of each feature the store serves (so unchanged values are not rewritten).
final class UserState {
  let id: String
  var window = EventWindow()
  var states: [any ExtractorSlot]
  /// The latest value of each feature (global feature index) as the store serves it: read
  /// when the user is loaded, then the last value written; nil without one.
  var last: [FeatureValue?]
  /// Versions the pipeline wrote per feature: the latest one's number (the pipeline is the
  /// features' only writer), 0 before the first.
  var versions: [UInt64]
  /// Newest event time seen (µs); `Int64.min` before the first event.
  var newest = Int64.min
  /// Touched by the batch in hand.
  var dirty = false
  /// Where its pending writes start in the runner's table (per-batch mode), while dirty.
  var slot = 0
  /// Ids of its events in the batch in hand, in arrival order.
  var batchEvents: [String] = []
  /// What the runner's cache counted for it at the last commit it was in.
  var countedBytes = 0

  /// About how much memory the state holds, for the runner's cache budget: the window's
  /// records (with the array's spare capacity) and what it derives from them (a byte of traits
  /// and about 64 bytes of the spans' distinct sets per record, 2 KB of fixed parts), the last
  /// values, the version counts, and a fixed part for the extractors' states (bounded, see
  /// docs/pipeline.md).
  var estimatedBytes: Int {
    window.records.capacity * (MemoryLayout<EventRecord>.stride + 65)
      + last.count * MemoryLayout<FeatureValue?>.stride
      + versions.count * MemoryLayout<UInt64>.stride + 4_096
  }

  init(id: String, extractors: [any FeatureExtractor], featureCount: Int) {
    self.id = id
    states = extractors.map { $0.makeSlot() }
    last = Array(repeating: nil, count: featureCount)
    versions = Array(repeating: 0, count: featureCount)
  }

  static let formatVersion: UInt8 = 2

  /// `u8` version (2), `u64` fingerprints of the extractors and of the feature names,
  /// `svarint` newest, the window, per extractor a length-prefixed state, then the number of
  /// features and their version counts (varints). Version 1 also held the last values (tagged,
  /// before the counts) and the window's resources as hashes in each record.
  func encode(fingerprint: Fingerprint) -> [UInt8] {
    var w = StateWriter(capacity: 64 + window.count * 12)
    w.byte(Self.formatVersion)
    w.uint64(fingerprint.extractors)
    w.uint64(fingerprint.features)
    w.svarint(newest)
    window.encode(into: &w)
    w.varint(UInt64(states.count))
    for s in states {
      var inner = StateWriter()
      s.encode(into: &inner)
      w.varint(UInt64(inner.bytes.count))
      w.append(inner.bytes)
    }
    w.varint(UInt64(versions.count))
    for v in versions { w.varint(v) }
    return w.bytes
  }

  /// Decodes a blob (``last`` is left empty: the runner reads it from the store). The window is
  /// always kept. When the extractors changed (names or versions) their states start afresh;
  /// when the feature list changed, the version counts do too (the features are then other
  /// ones).
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
    window = try EventWindow(from: &r, resourceTable: format >= 2)
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
    // Version 1 kept the last values here; they are read from the store now.
    if format == 1 { for _ in 0..<featureCount { try skipValue(&r) } }
    for f in 0..<featureCount { versions[f] = try r.varint() }
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

/// Skips a last value of a version-1 state: a tag byte (0 none, 1 int, 2 double, 3 false,
/// 4 true, 5 string, 6 other as text) and its payload.
private func skipValue(_ r: inout StateReader) throws(PipelineError) {
  switch try r.byte() {
  case 0, 3, 4: break
  case 1: _ = try r.svarint()
  case 2: _ = try r.double()
  case 5, 6: _ = try r.string()
  default: throw .corruptState("unknown value tag")
  }
}
