import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// User state format 3 (compact records, one table of hashes, numbers in few bytes) round-trips
/// exactly, is bounds-checked, and states written in format 2 still load.
@Suite struct StateFormatTests {
  /// Events of one user: sessions, devices, locations and agents that change, resources that
  /// repeat, amounts and bytes, a late event.
  static func events(seed: UInt64) -> [BehaviorEvent] {
    var rng = SplitMix64(seed: seed)
    var t = monday
    return (0..<300).map { i in
      t = t + .seconds(Int64(rng.next() % 600))
      let late = i % 37 == 5 ? t - .seconds(200) : t
      let types = ["login", "page_view", "purchase", "data_transfer", "api_call", "odd"]
      var data: [String: EventValue] = [:]
      if rng.next() % 5 != 0 { data["resource"] = .string("r\(rng.next() % 50)") }
      if rng.next() % 4 == 0 { data["amount"] = .number(Double(rng.next() % 100_000) / 100) }
      if rng.next() % 7 == 0 { data["bytes"] = .number(Double(rng.next() % 5_000_000)) }
      if rng.next() % 11 == 0 { data["value"] = .number(Double(rng.next() % 1_000) / 3) }
      if rng.next() % 3 == 0 { data["result"] = rng.next() % 2 == 0 ? "success" : "failure" }
      data["user_agent"] = .string("a\(rng.next() % 3)")
      return BehaviorEvent(
        eventID: "e\(i)", userID: "u", sessionID: "s\(i / 10)", timestamp: late,
        eventType: types[Int(rng.next() % 6)], data: data,
        deviceInfo: ["device_id": .string("d\(rng.next() % 20 == 0 ? 1 : 0)")],
        locationInfo: rng.next() % 9 == 0 ? [:] : ["country": .string("c\(i / 100)")])
    }
  }

  /// A user state holding `events` (as the runner folds them).
  static func state(_ events: [BehaviorEvent], capacity: Int = 4_096) -> UserState {
    let extractors = BuiltinExtractors.all
    let u = UserState(id: "u", extractors: extractors, featureCount: 54)
    for e in events {
      let r = EventRecord(e)
      u.window.insert(r, capacity: capacity)
      for s in u.states { s.update(e, r) }
      u.newest = max(u.newest, r.time)
    }
    return u
  }

  static let fingerprint = Fingerprint(extractors: 42)

  static func decode(_ bytes: [UInt8], fingerprint: Fingerprint = fingerprint) throws -> UserState {
    try UserState(
      id: "u", bytes: bytes, extractors: BuiltinExtractors.all, featureCount: 54,
      fingerprint: fingerprint)
  }

  /// Each extractor state's bytes, written without a shared table (comparable across formats).
  static func states(_ u: UserState) -> [[UInt8]] {
    u.states.map {
      var w = StateWriter()
      $0.encode(into: &w)
      return w.bytes
    }
  }

  @Test func aStateRoundTripsExactly() throws {
    let seed: UInt64 = 0x57A7E_0003
    print("StateFormatTests seed \(seed)")
    for capacity in [4_096, 50] {
      let u = Self.state(Self.events(seed: seed), capacity: capacity)
      let bytes = u.encode(fingerprint: Self.fingerprint)
      let back = try Self.decode(bytes)
      #expect(back.window == u.window)
      #expect(back.newest == u.newest)
      #expect(Self.states(back) == Self.states(u))
      #expect(back.encode(fingerprint: Self.fingerprint) == bytes)
      // Other extractors: the window is kept, their states start afresh.
      let other = try Self.decode(bytes, fingerprint: Fingerprint(extractors: 7))
      #expect(other.window == u.window)
      #expect(Self.states(other) == Self.states(Self.state([])))
    }
  }

  /// A state written in format 2 (by the encoders before format 3, kept below) loads with the
  /// same window, newest time and extractor states.
  @Test func aFormat2StateStillLoads() throws {
    let u = Self.state(Self.events(seed: 0x57A7E_0002))
    var w = StateWriter()
    w.byte(2)
    w.uint64(Self.fingerprint.extractors)
    w.uint64(99)  // the feature fingerprint
    w.svarint(u.newest)
    Legacy.window(u.window, into: &w)
    w.varint(UInt64(u.states.count))
    for s in u.states {
      let bytes = Legacy.state(s)
      w.varint(UInt64(bytes.count))
      w.append(bytes)
    }
    w.varint(54)
    for v in 0..<54 { w.varint(UInt64(v)) }
    let back = try Self.decode(w.bytes)
    #expect(back.window == u.window)
    #expect(back.newest == u.newest)
    #expect(Self.states(back) == Self.states(u))
    #expect(back.versions.allSatisfy { $0 == 0 })
    // Written again in format 3, smaller.
    let compact = back.encode(fingerprint: Self.fingerprint)
    #expect(compact.count < w.bytes.count * 3 / 4)
    #expect(try Self.decode(compact).window == u.window)
  }

  /// Every truncation and a reference outside the table fail with a typed error, never a trap.
  @Test func damagedStatesFailWithATypedError() throws {
    let bytes = Self.state(Array(Self.events(seed: 5).prefix(60))).encode(
      fingerprint: Self.fingerprint)
    for n in 0..<bytes.count {
      #expect(throws: PipelineError.self) { _ = try Self.decode(Array(bytes[..<n])) }
    }
    var w = StateWriter()
    w.varint(1)
    w.varint(0)
    w.varint(0)  // an empty table
    w.svarint(1)
    w.varint(1 << 7)  // a resource reference
    var r = StateReader(w.bytes)
    #expect(throws: PipelineError.self) { _ = try EventWindow(from: &r) }
  }

  /// Numbers keep every bit, and whole numbers and hundredths take few bytes.
  @Test func numbersRoundTripBitForBit() throws {
    let seed: UInt64 = 0x4E_0B3E
    print("numbersRoundTripBitForBit seed \(seed)")
    var rng = SplitMix64(seed: seed)
    var xs: [Double] = [
      0, -0.0, .nan, -.nan, .infinity, -.infinity, .leastNonzeroMagnitude, .greatestFiniteMagnitude,
      0.1, 123.45, -99.99, 4_999_999, 9e15, 1e16, 0.001, 1.0 / 3,
    ]
    for _ in 0..<2_000 {
      xs.append(Double(bitPattern: rng.next()))
      xs.append(Double(Int64(bitPattern: rng.next()) % 10_000_000) / 100)
    }
    for x in xs {
      var w = StateWriter()
      w.number(x)
      var r = StateReader(w.bytes)
      #expect(try r.number().bitPattern == x.bitPattern, "\(x)")
      #expect(r.isAtEnd)
    }
    for (x, size) in [(123.45, 3), (4_999_999.0, 4), (0.125, 9)] {
      var w = StateWriter()
      w.number(x)
      #expect(w.bytes.count == size, "\(x)")
    }
  }

  @Test func unmixInvertsMix() {
    var rng = SplitMix64(seed: 0x3141)
    for _ in 0..<10_000 {
      let x = rng.next()
      #expect(unmix64(mix64(x)) == x)
    }
  }
}

/// The encoders of user state format 2, as they were before format 3.
private enum Legacy {
  enum Flags {
    static let hasResource: UInt8 = 1
    static let hasSession: UInt8 = 2
    static let sameSession: UInt8 = 4
    static let hasAmount: UInt8 = 8
    static let hasBytes: UInt8 = 16
    static let failed: UInt8 = 32
    static let succeeded: UInt8 = 64
    static let hasMore: UInt8 = 128
  }

  static func window(_ window: EventWindow, into w: inout StateWriter) {
    let records = window.records
    let dropped = window.dropped
    w.varint(UInt64(records.count))
    w.varint(dropped)
    var resources: [UInt64] = []
    var index: [UInt64: Int] = [:]
    for r in records where r.resource != 0 && index[r.resource] == nil {
      index[r.resource] = resources.count
      resources.append(r.resource)
    }
    w.varint(UInt64(resources.count))
    for h in resources { w.uint64(h) }
    var previousTime: Int64 = 0
    var previousSession: UInt64 = 0
    var previous: (UInt64, UInt64, UInt64) = (0, 0, 0)
    for r in records {
      w.svarint(r.time &- previousTime)
      previousTime = r.time
      w.byte(r.kind.rawValue)
      var flags: UInt8 = 0
      if r.resource != 0 { flags |= Flags.hasResource }
      if r.session != 0 {
        flags |= r.session == previousSession ? Flags.sameSession : Flags.hasSession
      }
      if r.amount != 0 { flags |= Flags.hasAmount }
      if r.bytes != 0 { flags |= Flags.hasBytes }
      if r.failed { flags |= Flags.failed }
      if r.succeeded { flags |= Flags.succeeded }
      // Device, location, agent: 2 bits each, 0 absent, 1 same as the previous record's, 2 new.
      var more: UInt8 = 0
      for (k, (v, p)) in [(r.device, previous.0), (r.location, previous.1), (r.agent, previous.2)]
        .enumerated() where v != 0
      {
        more |= (v == p ? 1 : 2) << (2 * UInt8(k))
      }
      if more != 0 { flags |= Flags.hasMore }
      w.byte(flags)
      if more != 0 { w.byte(more) }
      if r.device != 0 && r.device != previous.0 { w.uint64(r.device) }
      if r.location != 0 && r.location != previous.1 { w.uint64(r.location) }
      if r.agent != 0 && r.agent != previous.2 { w.uint64(r.agent) }
      previous = (
        r.device != 0 ? r.device : previous.0, r.location != 0 ? r.location : previous.1,
        r.agent != 0 ? r.agent : previous.2
      )
      if r.resource != 0 { w.varint(UInt64(index[r.resource]!)) }
      if flags & Flags.hasSession != 0 { w.uint64(r.session) }
      if r.session != 0 { previousSession = r.session }
      if r.amount != 0 { w.double(r.amount) }
      if r.bytes != 0 { w.double(r.bytes) }
    }
  }

  /// An extractor state with 8-byte hashes and doubles.
  static func state(_ slot: any ExtractorSlot) -> [UInt8] {
    var w = StateWriter()
    switch slot {
    case let s as TypedSlot<BehavioralExtractor>:
      w.byte(s.state.saturated ? 1 : 0)
      w.varint(UInt64(s.state.minima.count))
      for m in s.state.minima { w.uint64(m) }
    case let s as TypedSlot<CategoricalExtractor>:
      w.byte((s.state.newDevice ? 1 : 0) | (s.state.newLocation ? 2 : 0))
      for set in [s.state.devices, s.state.locations] {
        w.varint(UInt64(set.values.count))
        for v in set.values { w.uint64(v) }
      }
    case let s as TypedSlot<StatisticalExtractor>:
      w.varint(UInt64(s.state.times.count))
      var previous: Int64 = 0
      for (t, v) in zip(s.state.times, s.state.values) {
        w.svarint(t &- previous)
        previous = t
        w.double(v)
      }
    default: break
    }
    return w.bytes
  }
}

/// The hash index a state blob's table is built with answers as a dictionary does.
@Suite struct HashIndexTests {
  @Test func answersAsADictionary() {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("HashIndexTests seed \(seed)")
    var rng = SplitMix64(seed: seed)
    var index = HashIndex()
    var reference: [UInt64: Int] = [:]
    #expect(index[12345] == nil)
    for i in 0..<5_000 {
      // Small values collide in the low bits; repeats must keep their first position.
      let h = i % 3 == 0 ? UInt64.random(in: 0...64, using: &rng) : rng.next()
      let added = index.insert(h, at: i)
      #expect(added == (h != 0 && reference[h] == nil))
      if added { reference[h] = i }
    }
    #expect(index.count == reference.count)
    #expect(index[0] == nil)
    for (h, p) in reference { #expect(index[h] == p) }
    for _ in 0..<1_000 {
      let h = rng.next()
      #expect(index[h] == reference[h])
    }
  }

  /// A record's location is `stableHash` of the event's `location` string, which the record
  /// hashes from its parts (country, region, city, or the sorted pairs of other keys).
  @Test func theLocationHashIsTheHashOfTheLocation() {
    let seed: UInt64 = 4_071
    print("StateFormatTests.theLocationHashIsTheHashOfTheLocation seed \(seed)")
    var rng = SplitMix64(seed: seed)
    let keys = ["country", "region", "city", "lat", "zone"]
    let values: [EventValue] = ["NL", "Noord-Holland", "", "ü/é", 52.37, 4, true, -0.5]
    for _ in 0..<2_000 {
      var info: [String: EventValue] = [:]
      for key in keys where rng.next() % 2 == 0 {
        info[key] = values[Int(rng.next() % UInt64(values.count))]
      }
      let event = BehaviorEvent(
        eventID: "e", userID: "u", timestamp: monday, eventType: "login",
        locationInfo: rng.next() % 10 == 0 ? nil : info)
      #expect(
        EventRecord(event).location == (event.location.map(stableHash) ?? 0),
        "\(String(describing: event.location))")
    }
  }
}
