import FeatureDB
import Foundation

/// Devices, locations and user agents: how often they change, whether they are new, how varied
/// they are; and the reputation of the source IP across users (`extract.categorical`; formulas
/// in docs/pipeline.md).
public struct CategoricalExtractor: FeatureExtractor {
  /// The name, `extract.categorical`.
  public let name = "extract.categorical"
  /// The version, `1.2.0` (producer `extract.categorical@1.2.0`); 1.2.0 sums
  /// `location_entropy`'s terms in ascending order of the locations' hashes, where 1.1.0's
  /// order depended on a scratch table's size.
  public let version = "1.2.0"
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
    let day = c.aggregate(.day)
    for a in 0..<3 {
      let n = Int(day.withAttribute[a])
      guard n >= 2 else {
        values.append(.double(0))
        continue
      }
      // The first event with the attribute in the window may differ from one before it.
      var first = c.window.start(.day)
      while !c.window.traits[first].has(a) { first += 1 }
      let changes = Int(day.changed[a]) - (c.window.traits[first].changed(a) ? 1 : 0)
      values.append(.double(Double(changes) / Double(n - 1)))
    }
    values.append(.bool(state.newDevice))
    values.append(.bool(state.newLocation))
    let week = c.aggregate(.week)
    let withDevice = Int(week.withAttribute[0])
    let withLocation = Double(week.withAttribute[1])
    values.append(
      .double(withDevice == 0 ? 0 : Double(week.devices.count) / Double(withDevice)))
    var entropy = 0.0
    for (_, n) in week.locations.sortedCounts() {
      let p = Double(n) / withLocation
      entropy -= p * log2(p)
    }
    values.append(.double(entropy))
    values.append(.double(c.source.reputation))
  }
}

/// The 32 devices and 32 locations a user was seen with most recently (in arrival order; the
/// least recently seen is forgotten first), and whether the last event brought a new one. At
/// most 2 × 32 × 9 bytes persisted.
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
  /// as a varint count and the hashes (``StateWriter/hash(_:)``: 1 byte for one in the window).
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
    for v in values { w.hash(v) }
  }

  init() {}

  init(from r: inout StateReader) throws(PipelineError) {
    let n = try r.count()
    guard n <= KnownValues.capacity else { throw .corruptState("set of \(n) values") }
    for _ in 0..<n { values.append(r.compact ? try r.hash() : try r.uint64()) }
  }
}
