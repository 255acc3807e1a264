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
  /// Per feature some feature is derived from, the version derived values name: the latest
  /// one the store serves when the user was loaded (not the highest number after a rollback),
  /// then the last one written; 0 for none.
  var current: [UInt64]
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
  /// The running run has not saved what it found of the user yet (a ``PreRunRecord``).
  var unsaved = false
  /// The stored state as the run found it (nil: none), while ``unsaved``.
  var preRun: [UInt8]?

  /// About how much memory the state holds, for the runner's cache budget: the window's
  /// records (with the array's spare capacity) and what it derives from them (a byte of traits
  /// and about 64 bytes of the spans' distinct sets per record, 2 KB of fixed parts), the last
  /// values, the version counts, and a fixed part for the extractors' states (bounded, see
  /// docs/pipeline.md).
  var estimatedBytes: Int {
    window.records.capacity * (MemoryLayout<EventRecord>.stride + 65)
      + last.count * MemoryLayout<FeatureValue?>.stride
      + 2 * versions.count * MemoryLayout<UInt64>.stride + 4_096
  }

  init(id: String, extractors: [any FeatureExtractor], featureCount: Int) {
    self.id = id
    states = extractors.map { $0.makeSlot() }
    last = Array(repeating: nil, count: featureCount)
    versions = Array(repeating: 0, count: featureCount)
    current = versions
  }

  static let formatVersion: UInt8 = 3

  /// `u8` version (3), `u64` fingerprint of the extractors, the window (with the blob's hash
  /// table, see ``EventWindow/encode(into:)``), `svarint` newest minus the window's newest
  /// record time (0 for a window holding the newest event), then per extractor a
  /// length-prefixed state (their hashes refer to the table). Version 2 also held a
  /// fingerprint of the feature names and the number of versions written of each feature (read
  /// from the store instead), version 1 the last values too; their windows and states used
  /// 8 bytes per hash and double.
  func encode(fingerprint: Fingerprint) -> [UInt8] {
    var w = StateWriter(capacity: 64 + window.count * 8)
    w.byte(Self.formatVersion)
    w.uint64(fingerprint.extractors)
    window.encode(into: &w)
    w.svarint(newest &- (window.newest ?? 0))
    w.varint(UInt64(states.count))
    for s in states {
      var inner = StateWriter(sharingTableOf: w)
      s.encode(into: &inner)
      w.varint(UInt64(inner.bytes.count))
      w.append(inner.bytes)
    }
    return w.bytes
  }

  /// Decodes a blob of format 1, 2 or 3 (``last`` is left empty and ``versions`` at 0: the
  /// runner reads both from the store). The window is always kept. When the extractors changed
  /// (names or versions) their states start afresh.
  init(
    id: String, bytes: [UInt8], extractors: [any FeatureExtractor], featureCount: Int,
    fingerprint: Fingerprint
  ) throws(PipelineError) {
    self.id = id
    states = extractors.map { $0.makeSlot() }
    last = Array(repeating: nil, count: featureCount)
    versions = Array(repeating: 0, count: featureCount)
    current = versions
    var r = StateReader(bytes)
    let format = try r.byte()
    guard (1...Self.formatVersion).contains(format) else {
      throw .corruptState("user '\(id)': unknown state version \(format)")
    }
    let sameExtractors = try r.uint64() == fingerprint.extractors
    if format < 3 {
      // The feature fingerprint, the newest time, the window of 8-byte hashes.
      _ = try r.uint64()
      newest = try r.svarint()
      r.compact = false
      window = try EventWindow(legacyFrom: &r, resourceTable: format == 2)
    } else {
      window = try EventWindow(from: &r)
      newest = (window.newest ?? 0) &+ (try r.svarint())
    }
    let n = try r.count()
    for k in 0..<n {
      let length = try r.count()
      let bytes = try r.bytes(length)
      guard sameExtractors else { continue }
      guard n == extractors.count else { throw .corruptState("user '\(id)': extractor count") }
      var inner = StateReader(bytes, sharingTableOf: r)
      states[k] = try extractors[k].decodeSlot(&inner)
    }
    // Formats 1 and 2 end with the version counts (and 1 with the last values): not needed.
  }
}

/// What a state blob was written with: its extractors (names and versions).
struct Fingerprint: Hashable {
  var extractors: UInt64
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
