import FeatureDB
import Foundation

/// Devices, locations and user agents: how often they change, whether they are new, how varied
/// they are; and the reputation of the source IP across users (`extract.categorical`; formulas
/// in docs/pipeline.md).
public struct CategoricalExtractor: FeatureExtractor {
  /// The name, `extract.categorical`.
  public let name = "extract.categorical"
  /// The version, `1.1.0` (producer `extract.categorical@1.1.0`).
  public let version = "1.1.0"
  /// Its 8 features, in the order ``extract(_:state:into:)`` appends them.
  public let features = [
    FeatureSpec(
      "device_change_score", .double,
      "share of consecutive event pairs in (t - 24h, t] (with a device) whose device differs"),
    FeatureSpec(
      "location_change_score", .double,
      "share of consecutive event pairs in (t - 24h, t] (with a location) whose location differs"),
    FeatureSpec(
      "user_agent_change_score", .double,
      "share of consecutive event pairs in (t - 24h, t] (with a user agent) whose agent differs"),
    FeatureSpec(
      "is_new_device", .bool,
      "the triggering event's device is not among the user's last 32 devices"),
    FeatureSpec(
      "is_new_location", .bool,
      "the triggering event's location is not among the user's last 32 locations"),
    FeatureSpec(
      "device_diversity_score", .double,
      "distinct devices / events with a device, in (t - 7d, t]; 0 without any"),
    FeatureSpec(
      "location_entropy", .double,
      "Shannon entropy (bits) of the locations of the events in (t - 7d, t]; 0 without any"),
    FeatureSpec(
      "ip_reputation_score", .double,
      "(s + 1) / (s + f + 2): successes s and failures f of every user's events from the triggering event's source IP"
    ),
  ]

  /// The extractor (it has no options).
  public init() {}

  /// Records the event's device and location as the most recently seen and whether each was
  /// new (not new when the event has none).
  public func update(_ state: inout KnownValues, with event: BehaviorEvent, record: EventRecord) {
    state.newDevice = state.devices.insert(record.device)
    state.newLocation = state.locations.insert(record.location)
  }

  /// Appends the 8 values as of `c.time` (formulas in docs/pipeline.md); `is_new_device` and
  /// `is_new_location` describe the triggering event; `ip_reputation_score` is
  /// `c.source.reputation`.
  public func extract(_ c: ExtractionContext, state: KnownValues, into values: inout [FeatureValue])
  {
    let records = c.window.records
    let day = c.range(.hours(24))
    for field in 0..<3 {
      var previous: UInt64 = 0
      var pairs = 0
      var changes = 0
      for i in day {
        let r = records[i]
        let v = field == 0 ? r.device : field == 1 ? r.location : r.agent
        guard v != 0 else { continue }
        if previous != 0 {
          pairs += 1
          if v != previous { changes += 1 }
        }
        previous = v
      }
      values.append(.double(pairs == 0 ? 0 : Double(changes) / Double(pairs)))
    }
    values.append(.bool(state.newDevice))
    values.append(.bool(state.newLocation))
    let week = c.range(.days(7))
    let (diversity, entropy) = ScratchSet.with(capacity: week.count) { devices in
      ScratchSet.with(capacity: week.count) { locations in
        var withDevice = 0
        var withLocation = 0
        for i in week {
          let r = records[i]
          if r.device != 0 {
            withDevice += 1
            devices.insert(r.device)
          }
          if r.location != 0 {
            withLocation += 1
            locations.insert(r.location)
          }
        }
        var entropy = 0.0
        locations.forEachCount { n in
          let p = Double(n) / Double(withLocation)
          entropy -= p * log2(p)
        }
        return (withDevice == 0 ? 0 : Double(devices.count) / Double(withDevice), entropy)
      }
    }
    values.append(.double(diversity))
    values.append(.double(entropy))
    values.append(.double(c.source.reputation))
  }
}

/// The 32 devices and 32 locations a user was seen with most recently (in arrival order; the
/// least recently seen is forgotten first), and whether the last event brought a new one. At
/// most 2 × 32 × 8 bytes.
public struct KnownValues: ExtractorState, Hashable {
  /// Devices, and locations, remembered per user: 32.
  public static let capacity = 32
  /// Hashes of the devices seen most recently.
  public var devices = RecentSet()
  /// Hashes of the locations seen most recently.
  public var locations = RecentSet()
  /// The last event folded in had a device that was not among ``devices``.
  public var newDevice = false
  /// The last event folded in had a location that was not among ``locations``.
  public var newLocation = false

  /// Nothing seen yet.
  public init() {}

  /// A flag byte (1: new device, 2: new location), then the devices and the locations, each
  /// as a varint count and 8 bytes per hash.
  public func encode(into w: inout StateWriter) {
    w.byte((newDevice ? 1 : 0) | (newLocation ? 2 : 0))
    devices.encode(into: &w)
    locations.encode(into: &w)
  }

  /// Decodes what ``encode(into:)`` wrote; throws ``PipelineError/corruptState(_:)`` for more
  /// than ``capacity`` hashes in a set or truncated bytes.
  public init(from r: inout StateReader) throws(PipelineError) {
    let flags = try r.byte()
    newDevice = flags & 1 != 0
    newLocation = flags & 2 != 0
    devices = try RecentSet(from: &r)
    locations = try RecentSet(from: &r)
  }
}

/// Up to ``KnownValues/capacity`` hashes, least recently seen first.
public struct RecentSet: Sendable, Hashable {
  /// The hashes, least recently seen first.
  public private(set) var values: [UInt64] = []

  /// Adds `v` (0 = absent: ignored); returns whether it was new.
  mutating func insert(_ v: UInt64) -> Bool {
    guard v != 0 else { return false }
    if let i = values.firstIndex(of: v) {
      values.remove(at: i)
      values.append(v)
      return false
    }
    values.append(v)
    if values.count > KnownValues.capacity { values.removeFirst() }
    return true
  }

  func encode(into w: inout StateWriter) {
    w.varint(UInt64(values.count))
    for v in values { w.uint64(v) }
  }

  init() {}

  init(from r: inout StateReader) throws(PipelineError) {
    let n = try r.count()
    guard n <= KnownValues.capacity else { throw .corruptState("set of \(n) values") }
    for _ in 0..<n { values.append(try r.uint64()) }
  }
}
