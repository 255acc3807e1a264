import FeatureDB

/// The kind of an event, from its `event_type`.
public enum EventKind: UInt8, Sendable, CaseIterable {
  /// Any other `event_type`.
  case other = 0
  /// `login`, `logout`, `page_view`, `api_call`, `file_access`, `data_transfer`, `admin_action`,
  /// `purchase`, `click`: raw values 1 to 9, persisted in user states.
  case login, logout, pageView, apiCall, fileAccess, dataTransfer, adminAction, purchase, click

  /// The kind of the `event_type` `type` (exact, case-sensitive match); ``other`` when unknown.
  public init(_ type: String) {
    switch type {
    case "login": self = .login
    case "logout": self = .logout
    case "page_view": self = .pageView
    case "api_call": self = .apiCall
    case "file_access": self = .fileAccess
    case "data_transfer": self = .dataTransfer
    case "admin_action": self = .adminAction
    case "purchase": self = .purchase
    case "click": self = .click
    default: self = .other
    }
  }
}

/// What the windows keep of one event: its time and the few attributes the built-in window
/// features read (72 bytes in memory, typically 10 to 20 persisted; see docs/pipeline.md).
public struct EventRecord: Sendable, Hashable {
  /// Event time, microseconds since the Unix epoch.
  public var time: Int64
  /// The kind, from `event_type`.
  public var kind: EventKind
  /// `data.result` was `"failure"`.
  public var failed: Bool
  /// `data.result` was `"success"`.
  public var succeeded: Bool
  /// ``stableHash(_:)`` of `data.resource` (else `data.endpoint`), 0 when absent.
  public var resource: UInt64
  /// ``stableHash(_:)`` of `session_id`, 0 when absent.
  public var session: UInt64
  /// `data.amount` (0 when absent).
  public var amount: Double
  /// `data.bytes` (0 when absent).
  public var bytes: Double
  /// ``stableHash(_:)`` of the device (``BehaviorEvent/device``), 0 when absent.
  public var device: UInt64 = 0
  /// ``stableHash(_:)`` of the location (``BehaviorEvent/location``), 0 when absent.
  public var location: UInt64 = 0
  /// ``stableHash(_:)`` of `data.user_agent`, 0 when absent.
  public var agent: UInt64 = 0

  /// A record with these fields; the device, location and user agent hashes start at 0
  /// (absent).
  public init(
    time: Int64, kind: EventKind, failed: Bool = false, succeeded: Bool = false,
    resource: UInt64 = 0, session: UInt64 = 0, amount: Double = 0, bytes: Double = 0
  ) {
    self.time = time
    self.kind = kind
    self.failed = failed
    self.succeeded = succeeded
    self.resource = resource
    self.session = session
    self.amount = amount
    self.bytes = bytes
  }

  /// The record of `event`: its time, kind, result flags, hashes and numbers as described on
  /// each property (a non-finite `amount` or `bytes` counts as 0, and −0 as 0, as the window's
  /// encoding keeps it).
  public init(_ event: BehaviorEvent) {
    let result = event.data["result"]?.string
    let resource = event.data["resource"]?.string ?? event.data["endpoint"]?.string
    let amount = event.data["amount"]?.number ?? 0
    let bytes = event.data["bytes"]?.number ?? 0
    self.init(
      time: event.timestamp.microseconds, kind: EventKind(event.eventType),
      failed: result == "failure", succeeded: result == "success",
      resource: resource.map(stableHash) ?? 0, session: event.sessionID.map(stableHash) ?? 0,
      amount: amount.isFinite && amount != 0 ? amount : 0,
      bytes: bytes.isFinite && bytes != 0 ? bytes : 0)
    device = event.device.map(stableHash) ?? 0
    location = event.locationHash
    agent = event.data["user_agent"]?.string.map(stableHash) ?? 0
  }
}

/// One user's recent events in event-time order (ties: arrival order): a bounded buffer from
/// which every window is computed exactly.
///
/// The buffer keeps the events of the last `horizon` (7 days + the allowed lateness) before the
/// user's newest event, at most `capacity` of them; beyond the capacity the oldest are dropped
/// and counted in ``dropped`` (windows then count only what is kept: a lower bound).
///
/// Beside the records it keeps, in memory only and rebuilt from them when decoded, what the
/// built-in extractors read of them: per window length a ``SlidingSpan`` (counts, exact sums,
/// distinct values), the first record of each session, and per record its ``RecordTraits``.
/// Two windows are equal when their records and ``dropped`` are.
public struct EventWindow: Sendable, Hashable {
  /// The kept records in time order (ties in arrival order).
  public internal(set) var records: [EventRecord] = []
  /// Events dropped because the buffer was full (not because they aged out).
  public internal(set) var dropped: UInt64 = 0
  /// The traits of `records[i]`.
  private(set) var traits: [RecordTraits] = []
  /// The first record of each session.
  private(set) var sessions = SessionStarts()
  /// One per ``WindowSpan``, at ``spanTime``.
  private var spans = WindowSpan.allCases.map {
    SlidingSpan(span: $0.length.microseconds, parts: $0.parts)
  }
  /// The time the spans were last moved to (``move(to:)``).
  private(set) var spanTime: Int64?
  /// Device, location and user agent of the newest records that had one (0: none yet).
  private var latest: (UInt64, UInt64, UInt64) = (0, 0, 0)

  /// An empty window.
  public init() {}

  /// Records kept.
  public var count: Int { records.count }
  /// Time of the newest kept record (µs since the Unix epoch); nil when empty.
  public var newest: Int64? { records.last?.time }

  /// Equal records and drop counts.
  public static func == (a: EventWindow, b: EventWindow) -> Bool {
    a.records == b.records && a.dropped == b.dropped
  }

  /// Hashes the records and the drop count.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(records)
    hasher.combine(dropped)
  }

  /// Inserts `record` after every record with time ≤ its time; then, beyond `capacity` records,
  /// drops the oldest and counts them in ``dropped``.
  public mutating func insert(_ record: EventRecord, capacity: Int) {
    let i =
      records.last.map { record.time < $0.time } == true ? end(atOrBefore: record.time) : count
    let values = record.attributes
    var previous = latest
    if i < count {
      previous = (attribute(0, before: i), attribute(1, before: i), attribute(2, before: i))
    }
    records.insert(record, at: i)
    traits.insert(RecordTraits(values, previous: previous), at: i)
    sessions.inserted(record)
    for s in spans.indices { spans[s].inserted(at: i, records, traits) }
    if i == count - 1 {
      latest = (
        values.0 != 0 ? values.0 : latest.0, values.1 != 0 ? values.1 : latest.1,
        values.2 != 0 ? values.2 : latest.2
      )
    } else {
      retrait(after: i)
    }
    if records.count > capacity {
      let excess = records.count - capacity
      drop(excess)
      dropped += UInt64(excess)
    }
  }

  /// Removes records with time ≤ `time`.
  public mutating func evict(atOrBefore time: Int64) {
    guard let first = records.first, first.time <= time else { return }
    drop(end(atOrBefore: time))
  }

  /// Index after the last record with time ≤ `time`.
  public func end(atOrBefore time: Int64) -> Int {
    endIndex(count: records.count, atOrBefore: time) { records[$0].time }
  }

  /// Moves every span to the windows ending at `t` (what ``aggregate(_:)`` reads).
  mutating func move(to t: Int64) {
    for s in spans.indices { spans[s].move(to: t, records, traits) }
    spanTime = t
  }

  /// The aggregate of the records in (t − w, t] of `span`'s w, t the time of the last
  /// ``move(to:)``.
  @inline(__always)
  func aggregate(_ span: WindowSpan) -> SpanAggregate { spans[span.rawValue].aggregate }

  /// Index of the first record of `span`'s window (as last moved).
  func start(_ span: WindowSpan) -> Int { spans[span.rawValue].lo }

  /// Value of attribute `a` of the last record before index `i` that has it; 0 when none.
  private func attribute(_ a: Int, before i: Int) -> UInt64 {
    var j = i - 1
    while j >= 0 {
      if traits[j].has(a) { return records[j].attribute(a) }
      j -= 1
    }
    return 0
  }

  /// After a record was inserted at `i` before others: the next record with each of its
  /// attributes now follows it, so its change flags are computed again.
  private mutating func retrait(after i: Int) {
    let r = records[i]
    for a in 0..<3 {
      let v = r.attribute(a)
      guard v != 0 else { continue }
      var j = i + 1
      while j < count, !traits[j].has(a) { j += 1 }
      guard j < count else {
        if a == 0 { latest.0 = v } else if a == 1 { latest.1 = v } else { latest.2 = v }
        continue
      }
      let next = records[j].attribute(a)
      let old = traits[j]
      traits[j].bits = old.bits & ~(1 << (3 + a)) | (next != v ? 1 << (3 + a) : 0)
      for s in spans.indices { spans[s].retraited(at: j, from: old, to: traits[j]) }
    }
  }

  /// Removes the first `k` records.
  private mutating func drop(_ k: Int) {
    for i in 0..<k { sessions.dropping(i, records) }
    for s in spans.indices { spans[s].dropping(first: k, records, traits) }
    records.removeFirst(k)
    traits.removeFirst(k)
  }

  /// Rebuilds what is derived from the records (after decoding them).
  mutating func derive() {
    traits.reserveCapacity(records.count)
    for r in records {
      traits.append(RecordTraits(r.attributes, previous: latest))
      sessions.inserted(r)
      let v = r.attributes
      latest = (
        v.0 != 0 ? v.0 : latest.0, v.1 != 0 ? v.1 : latest.1, v.2 != 0 ? v.2 : latest.2
      )
    }
  }
}
