import FeatureDB

/// Decoding the windows of user state formats 1 and 2 (written before format 3's compact
/// records), so states written then still load.
extension EventWindow {
  private static let hasResource: UInt8 = 1
  private static let hasSession: UInt8 = 2
  private static let sameSession: UInt8 = 4
  private static let hasAmount: UInt8 = 8
  private static let hasBytes: UInt8 = 16
  private static let failed: UInt8 = 32
  private static let succeeded: UInt8 = 64
  private static let hasMore: UInt8 = 128

  /// Decodes a window of user state format 2, or of format 1 without `resourceTable` (each
  /// resource is then its `u64` hash in the record): records as deltas, an `svarint` time
  /// delta, kind byte, flag byte and the fields the flags say are present.
  init(legacyFrom r: inout StateReader, resourceTable: Bool) throws(PipelineError) {
    let n = try r.count()
    dropped = try r.varint()
    var resources: [UInt64] = []
    if resourceTable {
      let m = try r.count()
      guard m <= n else { throw .corruptState("\(m) resources for \(n) events") }
      resources.reserveCapacity(m)
      for _ in 0..<m { resources.append(try r.uint64()) }
    }
    records.reserveCapacity(n)
    var time: Int64 = 0
    var session: UInt64 = 0
    var previous: [UInt64] = [0, 0, 0]
    for _ in 0..<n {
      time = time &+ (try r.svarint())
      guard let kind = EventKind(rawValue: try r.byte()) else {
        throw .corruptState("unknown event kind")
      }
      let flags = try r.byte()
      var rec = EventRecord(time: time, kind: kind)
      if flags & Self.hasMore != 0 {
        let more = try r.byte()
        for k in 0..<3 {
          switch (more >> (2 * UInt8(k))) & 3 {
          case 0: continue
          case 1: break
          case 2: previous[k] = try r.uint64()
          default: throw .corruptState("bad field flags")
          }
          switch k {
          case 0: rec.device = previous[k]
          case 1: rec.location = previous[k]
          default: rec.agent = previous[k]
          }
        }
      }
      if flags & Self.hasResource != 0 {
        if resourceTable {
          let i = try r.varint()
          guard i < resources.count else { throw .corruptState("resource index \(i)") }
          rec.resource = resources[Int(i)]
        } else {
          rec.resource = try r.uint64()
        }
      }
      if flags & Self.hasSession != 0 { session = try r.uint64() }
      if flags & (Self.hasSession | Self.sameSession) != 0 { rec.session = session }
      if flags & Self.hasAmount != 0 { rec.amount = try r.double() }
      if flags & Self.hasBytes != 0 { rec.bytes = try r.double() }
      rec.failed = flags & Self.failed != 0
      rec.succeeded = flags & Self.succeeded != 0
      records.append(rec)
    }
    derive()
  }
}
