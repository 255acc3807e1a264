import Testing

@testable import FeatureDB

@Suite struct EncodingTests {
  static let boundaries: [UInt64] = [
    0, 1, 240, 241, 2287, 2288, 67823, 67824, 1 << 24 - 1, 1 << 24, 1 << 32, 1 << 56, UInt64.max,
  ]

  @Test func orderedVarintRoundTripsAndSortsNumerically() throws {
    var rng = SystemRandomNumberGenerator()
    var values = Self.boundaries
    for _ in 0..<5000 {
      values.append(
        UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng))
    }
    for v in values {
      let bytes = OrderedVarint.encode(v)
      try bytes.withUnsafeBytes { (raw) throws in
        var r = ByteReader(raw)
        #expect(try OrderedVarint.read(&r) == v)
        #expect(r.isAtEnd)
      }
    }
    for _ in 0..<5000 {
      let a = values.randomElement(using: &rng)!
      let b = values.randomElement(using: &rng)!
      #expect((a < b) == OrderedVarint.encode(a).lexicographicallyPrecedes(OrderedVarint.encode(b)))
    }
  }

  @Test func chainKeysAreUnambiguous() {
    var seen: [[UInt8]: (UInt64, UInt64)] = [:]
    for e in Self.boundaries.prefix(9) {
      for f in Self.boundaries.prefix(9) {
        let key = Keys.chain(entity: e, feature: f)
        #expect(seen[key] == nil)
        seen[key] = (e, f)
        let parsed = key.withUnsafeBytes { Keys.parseChain($0) }
        #expect(parsed?.entity == e && parsed?.feature == f)
      }
    }
  }

  @Test func varintsRoundTripAndRejectTruncation() throws {
    var w = ByteWriter()
    let values: [Int64] = [0, -1, 1, Int64.min, Int64.max, 300, -300]
    for v in values { w.signedVarint(v) }
    w.varint(UInt64.max)
    try w.bytes.withUnsafeBytes { (raw) throws in
      var r = ByteReader(raw)
      for v in values { #expect(try r.signedVarint() == v) }
      #expect(try r.varint() == UInt64.max)
      #expect(r.isAtEnd)
    }
    // Every strict prefix of a multi-byte varint fails cleanly.
    var long = ByteWriter()
    long.varint(UInt64.max)
    for n in 0..<long.bytes.count {
      Array(long.bytes.prefix(n)).withUnsafeBytes { raw in
        var r = ByteReader(raw)
        #expect(throws: DecodeError.self) { try r.varint() }
      }
    }
    // An 11-byte varint overflows 64 bits.
    [UInt8](repeating: 0xff, count: 10).withUnsafeBytes { raw in
      var r = ByteReader(raw)
      #expect(throws: DecodeError.self) { try r.varint() }
    }
  }

  /// Varints of every length decode alike whatever follows them: the 8-byte fast path (when 8
  /// bytes are left) and the byte-at-a-time one give the same numbers and offsets.
  @Test func varintsDecodeAlikeAtEveryDistanceFromTheEnd() throws {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("varintsDecodeAlikeAtEveryDistanceFromTheEnd seed \(seed)")
    var rng = SplitMix64(seed: seed)
    var values: [UInt64] = (0..<64).map { 1 << UInt64($0) } + (0..<64).map { (1 << UInt64($0)) - 1 }
    for _ in 0..<2000 {
      values.append(
        UInt64.random(in: 0...UInt64.max, using: &rng) >> UInt64.random(in: 0...63, using: &rng))
    }
    for v in values {
      for trailing in 0..<10 {
        var w = ByteWriter()
        w.varint(v)
        let length = w.bytes.count
        for _ in 0..<trailing { w.byte(UInt8.random(in: 0...255, using: &rng)) }
        try w.bytes.withUnsafeBytes { (raw) throws in
          var r = ByteReader(raw)
          #expect(try r.varint() == v)
          #expect(r.offset == length)
        }
      }
    }
  }

  /// Strings compare by their bytes: canonically equivalent ids are different ids.
  @Test func stringsCompareByTheirBytes() {
    #expect("caf\u{e9}".hasSameUTF8(as: "caf\u{e9}"))
    #expect(!"caf\u{e9}".hasSameUTF8(as: "cafe\u{301}"))
    #expect("caf\u{e9}" == "cafe\u{301}")
    #expect("".hasSameUTF8(as: ""))
    #expect(!"a".hasSameUTF8(as: ""))
    let long = String(repeating: "event-", count: 20)
    #expect(long.hasSameUTF8(as: String(repeating: "event-", count: 20)))
    #expect(!long.hasSameUTF8(as: String(repeating: "event-", count: 19) + "evenT-"))
    let a = Lineage(producer: "p", inputs: [.raw("caf\u{e9}")])
    let b = Lineage(producer: "p", inputs: [.raw("cafe\u{301}")])
    #expect(a == b)
    #expect(!Lineage.sameBytes(a, b))
    #expect(Lineage.sameExtra(a, Lineage(producer: "q", inputs: a.inputs)))
    #expect(!Lineage.sameExtra(a, Lineage(producer: "p", inputs: a.inputs, note: "n")))
  }

  @Test func valuesRoundTripThroughTheirCodec() throws {
    let cases: [(ValueType, FeatureValue)] = [
      (.int, .int(-42)), (.int, .int(.max)), (.double, .double(0.1)),
      (.double, .double(-.infinity)),
      (.bool, .bool(true)), (.string, .string("héllo, 世界")), (.string, .string("")),
      (.bytes, .bytes([0, 255, 1])), (.embedding(dims: 3), .embedding([0.5, -1, 3.25])),
    ]
    for (type, value) in cases {
      let format = ValueFormat(type: type)
      let canonical = try ValueCodec.canonical(value, format)
      try canonical.withUnsafeBytes { (raw) throws in
        #expect(try ValueCodec.decode(format, raw) == value)
      }
      var w = ByteWriter()
      if !ValueCodec.writeInline(value, to: &w) { w.lengthPrefixed(canonical) }
      try w.bytes.withUnsafeBytes { (raw) throws in
        var r = ByteReader(raw)
        #expect(try ValueCodec.readInline(format, &r) == value)
        #expect(r.isAtEnd)
      }
    }
  }

  @Test func decodersRejectRandomBytesWithoutCrashing() {
    var rng = SystemRandomNumberGenerator()
    let types: [ValueType] = [.int, .double, .bool, .string, .bytes, .embedding(dims: 4)]
    for _ in 0..<3000 {
      let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in
        UInt8.random(in: 0...255, using: &rng)
      }
      bytes.withUnsafeBytes { raw in
        for type in types {
          _ = try? ValueCodec.decode(ValueFormat(type: type), raw)
          if var chain = try? ChainRecord.Reader(
            raw, format: ValueFormat(type: type), epoch: 0, checksum: false)
          {
            while let entry = try? chain.next() {
              #expect(entry.range.upperBound <= raw.count)
              _ = try? chain.inlineValue(entry)
            }
          }
          _ = try? LineageExtra.decode(raw)
          _ = Keys.parseChain(raw)
        }
      }
    }
  }

  /// The write path reads old entries as outlines (version, flags, times, extent) without
  /// decoding lineage or values: every outline must agree with the full entry, and a damaged
  /// record must fail at the same entry either way.
  @Test func entryOutlinesAgreeWithFullEntries() {
    let seed = UInt64.random(in: 0...UInt64.max)
    print("EncodingTests.entryOutlinesAgreeWithFullEntries seed \(seed)")
    var rng = SplitMix64(seed: seed)
    let values: [(ValueType, FeatureValue)] = [
      (.int, .int(-3)), (.int, .int(.max)), (.double, .double(0.25)), (.bool, .bool(true)),
      (.string, .string("héllo")), (.bytes, .bytes([1, 2, 3])),
    ]
    for _ in 0..<2000 {
      let (type, value) = values[Int(rng.next() % UInt64(values.count))]
      let epoch = Int64(rng.next() % 1_000_000_000_000)
      var record = ByteWriter()
      ChainRecord.writeHeader(ChainRecord.Header(), to: &record)
      for version in (1...(1 + rng.next() % 6)).reversed() {
        let writeTime = epoch + Int64(rng.next() % 1_000_000_000)
        let kind: ChainRecord.Kind = [.inline, .tombstone, .external][Int(rng.next() % 3)]
        var lineage = EncodedLineage()
        if rng.next() % 2 == 0 { lineage.producer = rng.next() % 300 }
        if rng.next() % 2 == 0 { lineage.run = rng.next() % 300 }
        if rng.next() % 2 == 0 { lineage.source = rng.next() % 300 }
        if rng.next() % 2 == 0 { lineage.extra = (0..<rng.next() % 5).map { UInt8($0) } }
        record.varint(version)
        ChainRecord.writeEntryTail(
          kind: kind, writeTime: writeTime, eventTime: writeTime - Int64(rng.next() % 10_000_000),
          lineage: lineage, sourceLine: rng.next() % 3, epoch: epoch, to: &record)
        if kind == .inline { _ = ValueCodec.writeInline(value, to: &record) }
      }
      ChainRecord.seal(&record)
      var bytes = record.bytes
      if rng.next() % 2 == 0 {  // damage: a changed byte, or a cut
        let at = 5 + Int(rng.next() % UInt64(bytes.count - 5))
        if rng.next() % 2 == 0 {
          bytes[at] = UInt8(truncatingIfNeeded: rng.next())
        } else {
          bytes.removeSubrange(at...)
        }
      }
      bytes.withUnsafeBytes { raw in
        let format = ValueFormat(type: type)
        guard
          var full = try? ChainRecord.Reader(raw, format: format, epoch: epoch, checksum: false),
          var outlines = try? ChainRecord.Reader(raw, format: format, epoch: epoch, checksum: false)
        else { return }
        while true {
          let entry = Result { () throws(DecodeError) in try full.next() }
          let outline = Result { () throws(DecodeError) in try outlines.nextOutline() }
          switch (entry, outline) {
          case (.success(let e?), .success(let o?)):
            #expect(e.outline == o, "seed \(seed): entry \(e) read as outline \(o)")
            #expect(e.isRetracted == o.isRetracted && (e.kind == .external) == o.isExternal)
            continue
          case (.success(nil), .success(nil)), (.failure, .failure): break
          default:
            Issue.record("seed \(seed): entry \(entry), outline \(outline)")
          }
          break
        }
      }
    }
  }

  @Test func lineageExtraRoundTrips() throws {
    let extra = LineageExtra(
      inputs: [.version(feature: 3, entity: 70_000, version: 9), .raw(symbol: 12)],
      note: "backfill ✓")
    try extra.encoded().withUnsafeBytes { (raw) throws in
      #expect(try LineageExtra.decode(raw) == extra)
    }
  }
}

@Suite struct StringTableTests {
  @Test func keysAreBytesAndTheTableGrows() {
    var table = StringTable<Int>()
    for i in 0..<1000 { table["user\(i)"] = i }
    table["user7"] = -7
    #expect(table.count == 1000)
    #expect((0..<1000).allSatisfy { table["user\($0)"] == ($0 == 7 ? -7 : $0) })
    #expect(table["user1000"] == nil && table[""] == nil)
    // Canonically equivalent but different bytes: two keys (interning must not merge them).
    table["caf\u{E9}"] = 1
    table["cafe\u{301}"] = 2
    #expect(table["caf\u{E9}"] == 1 && table["cafe\u{301}"] == 2)
    table[""] = 0
    #expect(table[""] == 0)
    table.removeAll()
    #expect(table.count == 0 && table["user1"] == nil)
  }
}
