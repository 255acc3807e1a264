import FeatureDB

/// The persisted form of a window (user state format 3).
extension EventWindow {
  /// Record header bit: an extra flag byte follows.
  private static let hasExtra: UInt64 = 1
  /// Extra flag bits 0–3: the session, device, location, user agent differ from the previous
  /// record's (a reference follows); bits 4 and 5: an amount, a byte count follows.
  private static let hasAmount: UInt8 = 16
  private static let hasBytes: UInt8 = 32

  /// `varint` count, `varint` dropped, the table of the distinct hashes the records hold
  /// (resources, sessions, devices, locations, user agents: `varint` n, n × `u64`, in
  /// first-seen order; `w` refers to it from then on, see ``StateWriter/hash(_:)``), then per
  /// record a `varint` time delta (records are in time order: the delta is never negative, so
  /// no zigzag bit; the first record's is its time) and a `varint` header: bit 0 extra byte, bits 1–4 kind,
  /// bit 5 failed, bit 6 succeeded, bits 7+ 1 + the resource's index in the table (0: none).
  /// The extra byte, present when one of session, device, location and user agent differs
  /// from the previous record's or the record has an amount or bytes, says which follow:
  /// each changed attribute as a `varint` (0: none, else 1 + its index), then the amount and
  /// the bytes (``StateWriter/number(_:)``). A typical record takes 5 to 7 bytes.
  public func encode(into w: inout StateWriter) {
    w.varint(UInt64(records.count))
    w.varint(dropped)
    var table: [UInt64] = []
    var index = HashIndex(capacity: records.count)
    func add(_ h: UInt64) {
      if index.insert(h, at: table.count) { table.append(h) }
    }
    // No array literals per record here or below: each would be a heap allocation.
    for r in records {
      add(r.resource)
      add(r.session)
      add(r.device)
      add(r.location)
      add(r.agent)
    }
    w.varint(UInt64(table.count))
    for h in table { w.uint64(h) }
    w.table = index
    func reference(_ h: UInt64) -> UInt64 { h == 0 ? 0 : UInt64(index[h]!) + 1 }
    var previousTime: Int64 = 0
    var previous = SIMD4<UInt64>()
    for r in records {
      w.varint(UInt64(bitPattern: r.time &- previousTime))
      previousTime = r.time
      let current = SIMD4(r.session, r.device, r.location, r.agent)
      var extra: UInt8 = 0
      for k in 0..<4 where current[k] != previous[k] { extra |= 1 << k }
      if r.amount != 0 { extra |= Self.hasAmount }
      if r.bytes != 0 { extra |= Self.hasBytes }
      var header = UInt64(r.kind.rawValue) << 1 | reference(r.resource) << 7
      if r.failed { header |= 32 }
      if r.succeeded { header |= 64 }
      if extra != 0 { header |= Self.hasExtra }
      w.varint(header)
      guard extra != 0 else { continue }
      w.byte(extra)
      for k in 0..<4 where current[k] != previous[k] { w.varint(reference(current[k])) }
      previous = current
      if r.amount != 0 { w.number(r.amount) }
      if r.bytes != 0 { w.number(r.bytes) }
    }
  }

  /// Decodes what ``encode(into:)`` wrote (or, from a reader of format 1 or 2 states, what
  /// those wrote), leaving the hash table in `r` for the states that follow.
  ///
  /// - Throws: ``PipelineError/corruptState(_:)`` for an unknown event kind or flag, a table
  ///   larger than the bytes allow, a reference outside it, or truncated bytes.
  public init(from r: inout StateReader) throws(PipelineError) {
    guard r.compact else {
      try self.init(legacyFrom: &r, resourceTable: true)
      return
    }
    self.init()
    let n = try r.count()
    dropped = try r.varint()
    let m = try r.count()
    guard m <= 5 * n else { throw .corruptState("\(m) hashes for \(n) events") }
    var table: [UInt64] = []
    table.reserveCapacity(m)
    for _ in 0..<m { table.append(try r.uint64()) }
    r.table = table
    func hash(_ i: UInt64) throws(PipelineError) -> UInt64 {
      guard i > 0 else { return 0 }
      guard i <= UInt64(m) else { throw .corruptState("hash reference \(i)") }
      return table[Int(i - 1)]
    }
    records.reserveCapacity(n)
    var time: Int64 = 0
    var previous: [UInt64] = [0, 0, 0, 0]
    for _ in 0..<n {
      time = time &+ Int64(bitPattern: try r.varint())
      let header = try r.varint()
      guard let kind = EventKind(rawValue: UInt8(header >> 1 & 15)) else {
        throw .corruptState("unknown event kind")
      }
      var rec = EventRecord(
        time: time, kind: kind, failed: header & 32 != 0, succeeded: header & 64 != 0,
        resource: try hash(header >> 7))
      var extra: UInt8 = 0
      if header & Self.hasExtra != 0 {
        extra = try r.byte()
        guard extra < 64 else { throw .corruptState("bad field flags") }
        for k in 0..<4 where extra & (1 << k) != 0 { previous[k] = try hash(try r.varint()) }
      }
      rec.session = previous[0]
      rec.device = previous[1]
      rec.location = previous[2]
      rec.agent = previous[3]
      if extra & Self.hasAmount != 0 { rec.amount = try r.number() }
      if extra & Self.hasBytes != 0 { rec.bytes = try r.number() }
      records.append(rec)
    }
    derive()
  }
}
