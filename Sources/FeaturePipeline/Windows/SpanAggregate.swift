import FeatureDB

/// What the built-in features read of the records in one window (t − w, t]: counts, exact sums
/// and distinct values, kept by adding each record that enters and removing each that leaves,
/// so an event costs O(1) whatever the window holds.
struct SpanAggregate: Sendable {
  /// The optional parts an aggregate keeps (counts are always kept).
  struct Parts: OptionSet, Sendable {
    let rawValue: UInt8
    /// The exact sum of purchase amounts.
    static let amounts = Parts(rawValue: 1)
    /// The exact sum of `data.bytes`.
    static let bytes = Parts(rawValue: 2)
    /// The distinct resources.
    static let resources = Parts(rawValue: 4)
    /// The distinct resources of `api_call` events.
    static let apiResources = Parts(rawValue: 64)
    /// The distinct devices and locations.
    static let places = Parts(rawValue: 8)
    /// The events per UTC hour of day.
    static let hours = Parts(rawValue: 16)
    /// Per attribute (device, location, user agent): events with it, and changes from the
    /// previous event with it (``RecordTraits``).
    static let changes = Parts(rawValue: 32)
  }

  let parts: Parts
  /// Records.
  private(set) var count = 0
  /// Records per ``EventKind`` raw value.
  private(set) var kinds = SIMD16<Int32>()
  /// Records with a resource.
  private(set) var withResource = 0
  /// Records whose `data.result` was `failure`.
  private(set) var failures = 0
  /// Records whose `data.result` was `success` or `failure`.
  private(set) var results = 0
  /// Exact sum of the amounts of `purchase` records (``Parts/amounts``).
  private(set) var amounts = ExactSum()
  /// Exact sum of `data.bytes` (``Parts/bytes``).
  private(set) var bytes = ExactSum()
  /// Distinct resources (``Parts/resources``).
  private(set) var resources = CountingSet()
  /// Distinct resources of `api_call` records (``Parts/apiResources``).
  private(set) var apiResources = CountingSet()
  /// Distinct devices and locations, with their counts (``Parts/places``).
  private(set) var devices = CountingSet()
  private(set) var locations = CountingSet()
  /// Records with a device, a location (``Parts/places`` or ``Parts/changes``), a user agent
  /// (``Parts/changes``): indices 0, 1, 2.
  private(set) var withAttribute = SIMD4<Int32>()
  /// Records whose attribute differs from the previous record's with one (``Parts/changes``).
  private(set) var changed = SIMD4<Int32>()
  /// Records per UTC hour of day (``Parts/hours``: 24 counters, else empty, so that the spans
  /// that do not need them stay small).
  private(set) var hours: [Int32]

  /// An empty aggregate keeping `parts`.
  init(_ parts: Parts) {
    self.parts = parts
    hours = parts.contains(.hours) ? Array(repeating: 0, count: 24) : []
  }

  /// Records of kind `k`.
  func count(_ k: EventKind) -> Int { Int(kinds[Int(k.rawValue)]) }

  /// Adds (`sign` 1) or removes (`sign` −1) `r`, whose traits are `traits`.
  mutating func apply(_ r: EventRecord, _ traits: RecordTraits, _ sign: Int32) {
    let s = Int(sign)
    count += s
    kinds[Int(r.kind.rawValue)] &+= sign
    if r.failed { failures += s }
    if r.failed || r.succeeded { results += s }
    if r.resource != 0 {
      withResource += s
      if parts.contains(.resources) { resources.update(r.resource, sign) }
      if parts.contains(.apiResources), r.kind == .apiCall {
        apiResources.update(r.resource, sign)
      }
    }
    if parts.contains(.amounts), r.kind == .purchase, r.amount != 0 {
      amounts.add(sign > 0 ? r.amount : -r.amount)
    }
    if parts.contains(.bytes), r.bytes != 0 { bytes.add(sign > 0 ? r.bytes : -r.bytes) }
    if parts.contains(.places) {
      if r.device != 0 { devices.update(r.device, sign) }
      if r.location != 0 { locations.update(r.location, sign) }
    }
    if !parts.isDisjoint(with: [.places, .changes]) {
      withAttribute &+= traits.present &* sign
    }
    if parts.contains(.changes) { changed &+= traits.changed &* sign }
    if parts.contains(.hours) { hours[Int(UTC.hour(r.time))] &+= sign }
  }

  /// Replaces the change flags of a record it holds (`old` by `new`).
  mutating func rechange(_ old: RecordTraits, _ new: RecordTraits) {
    if parts.contains(.changes) { changed &+= new.changed &- old.changed }
  }

  /// A sum overflowed (see ``ExactSum/overflowed``): it must be built again from the records.
  var overflowed: Bool { amounts.overflowed || bytes.overflowed }

  /// Builds both sums again from `records`, the records it holds.
  mutating func resum(_ records: ArraySlice<EventRecord>) {
    amounts = ExactSum()
    bytes = ExactSum()
    for r in records {
      if parts.contains(.amounts), r.kind == .purchase, r.amount != 0 { amounts.add(r.amount) }
      if parts.contains(.bytes), r.bytes != 0 { bytes.add(r.bytes) }
    }
  }
}

extension CountingSet {
  /// Inserts (`sign` > 0) or removes one occurrence of `h`.
  mutating func update(_ h: UInt64, _ sign: Int32) {
    if sign > 0 { insert(h) } else { remove(h) }
  }
}
