import Foundation
import TestSupport
import Testing

@testable import FeatureDB

/// A retraction reads and rewrites an entry's status list without decoding the inputs and note
/// before it (issue 19, item 9): it must find the list ``LineageExtra`` decodes, write the bytes
/// ``LineageExtra/encoded()`` would, and refuse what the decoder refuses.
@Suite struct LineageStatusListTests {
  static func randomExtra(_ rng: inout SplitMix64) -> LineageExtra {
    let inputs: [LineageExtra.Input] = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
      Bool.random(using: &rng)
        ? .version(
          feature: UInt64.random(in: 0...300, using: &rng),
          entity: UInt64.random(in: 0...(1 << 40), using: &rng),
          version: UInt64.random(in: 1...UInt64.max, using: &rng))
        : .raw(symbol: UInt64.random(in: 0...200_000, using: &rng))
    }
    let notes = ["", "n", "é→ü", String(repeating: "x", count: 200)]
    let changes = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
      UInt64.random(in: 1...(1 << 35), using: &rng)
    }
    return LineageExtra(
      inputs: inputs, note: notes.randomElement(using: &rng)!, statusChanges: changes)
  }

  static func lengthPrefixed(_ bytes: [UInt8]) -> [UInt8] {
    var w = ByteWriter()
    w.lengthPrefixed(bytes)
    return w.bytes
  }

  @Test func readsAndRewritesWhatTheDecoderDoes() throws {
    let seed: UInt64 = 0x5EED_0019_0009
    print("LineageStatusListTests seed \(seed)")
    var rng = SplitMix64(seed: seed)
    for _ in 0..<2_000 {
      let extra = Self.randomExtra(&rng)
      let bytes = extra.encoded()
      let op = UInt64.random(in: 1...(1 << 35), using: &rng)
      try bytes.withUnsafeBytes { b in
        let list = try LineageStatusList(b)
        #expect(list.count == extra.statusChanges.count)
        #expect(list.contains(op) == extra.statusChanges.contains(op))
        for known in extra.statusChanges { #expect(list.contains(known)) }
        var same = ByteWriter()
        list.writeLengthPrefixed(adding: nil, to: &same)
        #expect(same.bytes == Self.lengthPrefixed(bytes))
        var added = ByteWriter()
        list.writeLengthPrefixed(adding: op, to: &added)
        var expected = extra
        expected.statusChanges.append(op)
        #expect(added.bytes == Self.lengthPrefixed(expected.encoded()))
      }
    }
  }

  @Test func anEntryWithoutAnExtraPartGainsOne() throws {
    let none = try LineageStatusList(nil)
    #expect(!none.contains(7))
    var empty = ByteWriter()
    none.writeLengthPrefixed(adding: nil, to: &empty)
    #expect(empty.bytes.isEmpty)
    var added = ByteWriter()
    none.writeLengthPrefixed(adding: 300, to: &added)
    let expected = LineageExtra(inputs: [], note: "", statusChanges: [300]).encoded()
    #expect(added.bytes == Self.lengthPrefixed(expected))
  }

  @Test func refusesWhatTheDecoderRefuses() throws {
    var rng = SplitMix64(seed: 0x5EED_0019_0010)
    for _ in 0..<300 {
      let bytes = Self.randomExtra(&rng).encoded()
      for cut in 0..<bytes.count {
        let prefix = Array(bytes[..<cut])
        prefix.withUnsafeBytes { b in
          let decoded = (try? LineageExtra.decode(b)) != nil
          let listed = (try? LineageStatusList(b)) != nil
          #expect(decoded == listed, "prefix \(prefix) of \(bytes)")
        }
      }
    }
    for bad: [UInt8] in [[1, 2], [0, 0, 0], [0, 0, 1, 5, 9]] {
      bad.withUnsafeBytes { b in
        #expect(throws: DecodeError.self) { try LineageStatusList(b) }
      }
    }
  }
}
