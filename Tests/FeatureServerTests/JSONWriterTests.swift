import FDBCLI
import FeatureDB
import Foundation
import Hummingbird
import TestSupport
import Testing

@testable import FeatureServer

/// `JSONWriter` writes the bytes `JSON.compact` renders, and Feast's times as Feast writes
/// them.
@Suite struct JSONWriterTests {
  func written(_ write: (inout JSONWriter) -> Void) -> String {
    var out = JSONWriter(capacity: 16)
    write(&out)
    return String(buffer: out.buffer)
  }

  @Test func stringsAreEscapedAsJSONEscapesThem() {
    var rng = SplitMix64(seed: 20)
    let alphabet: [Character] = [
      "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\r", "\t", "\u{0}", "\u{1}", "\u{1f}", "\u{7f}",
      "é", "€", "😀", "\u{2028}",
    ]
    var samples = ["", "plain", String(alphabet)]
    for _ in 0..<500 {
      samples.append(
        String(
          (0..<Int.random(in: 0..<12, using: &rng)).map { _ in
            alphabet.randomElement(using: &rng)!
          }))
    }
    for s in samples {
      #expect(written { $0.string(s) } == JSON.string(s).compact, "\(Array(s.utf8))")
    }
  }

  @Test func numbersAreWrittenAsSwiftPrintsThem() {
    var rng = SplitMix64(seed: 7)
    var doubles: [Double] = [0, -0.0, 1, -1, 0.5, 1e-7, 1e16, 1e22, 123_456.789, .pi, 0.1 + 0.2]
    doubles += [.greatestFiniteMagnitude, .leastNonzeroMagnitude, -.leastNormalMagnitude]
    for _ in 0..<2_000 {
      doubles.append(Double(bitPattern: rng.next()))
      doubles.append(Double.random(in: -1e6...1e6, using: &rng))
      doubles.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: rng.next()))))
    }
    for d in doubles where d.isFinite {
      #expect(written { $0.double(d) } == JSON.double(d).compact)
    }
    var ints: [Int64] = [0, 1, -1, 9, 10, -10, .max, .min]
    for _ in 0..<1_000 { ints.append(Int64(bitPattern: rng.next()) >> (rng.next() % 64)) }
    for i in ints {
      #expect(written { $0.int(i) } == JSON.int(i).compact)
    }
  }

  /// Feast's times, written from the civil date, against the same times from
  /// `Timestamp.iso8601` (Feast's server keeps 3 or 6 fractional digits).
  @Test func timesAreWrittenAsFeastWritesThem() {
    func feast(_ t: Timestamp) -> String {
      let micros = ((t.microseconds % 1_000_000) + 1_000_000) % 1_000_000
      let whole = Timestamp(microseconds: t.microseconds - micros).iso8601.dropLast()
      func padded(_ v: Int64, _ width: Int) -> String {
        String(repeating: "0", count: max(0, width - String(v).count)) + String(v)
      }
      if micros == 0 { return "\"\(whole)Z\"" }
      if micros % 1_000 == 0 { return "\"\(whole).\(padded(micros / 1_000, 3))Z\"" }
      return "\"\(whole).\(padded(micros, 6))Z\""
    }
    var rng = SplitMix64(seed: 1970)
    var times: [Timestamp] = [
      .min, .max, Timestamp(microseconds: 0), Timestamp(microseconds: -1),
      Timestamp(iso8601: "2026-01-05T10:00:00.123Z")!, Timestamp(iso8601: "2000-02-29T23:59:59Z")!,
      Timestamp(iso8601: "1900-03-01T00:00:00.000001Z")!,
    ]
    for _ in 0..<5_000 {
      let t = Int64.random(in: Timestamp.min.microseconds...Timestamp.max.microseconds, using: &rng)
      times += [Timestamp(microseconds: t), Timestamp(microseconds: t / 1_000 * 1_000)]
      times.append(Timestamp(microseconds: t / 1_000_000 * 1_000_000))
    }
    for t in times {
      #expect(written { FeastValue.write(t, to: &$0) } == feast(t), "\(t.microseconds)")
    }
  }
}
