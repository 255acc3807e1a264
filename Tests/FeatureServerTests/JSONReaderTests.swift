import Foundation
import Hummingbird
import TestSupport
import Testing

@testable import FeatureServer

/// `JSONReader` reads Feast's bodies as `JSONDecoder` decodes them, or gives up (and the body
/// goes to `JSONDecoder`): it never reads a body otherwise.
@Suite struct JSONReaderTests {
  /// The body read by `JSONReader` (nil: it gave up), after checking that it is what
  /// `JSONDecoder` decodes.
  func read<T: ReaderDecodable & Equatable>(_ type: T.Type, _ body: String) -> T? {
    let fast = JSONReader.read(ByteBuffer(string: body), T.read)
    if let fast {
      #expect(fast == (try? JSONDecoder().decode(T.self, from: Data(body.utf8))), "\(body)")
    }
    return fast
  }

  /// Cells JSONDecoder reads in every way: integers, numbers written whole, past Int64,
  /// escapes, malformed JSON, nesting.
  static let cells = [
    "1", "-0", "0", "42", "1.5", "-0.25", "1e-3", "2.5E+2", "1.0", "1e2", "-0.0", "1e400",
    "9223372036854775807", "9223372036854775808", "-9223372036854775808", "01", "1.", ".5", "-",
    "true", "false", "null", "nul", "tru", #""s""#, #""a\"b""#, #""\u00e9""#, #""é""#,
    "\"a\u{1}b\"", #""2026-01-05T10:00:00Z""#, "[1, 2.5, -0]", "[]", "[1, null]", "[[1]]",
    "[1.0,2.0,3.0]", "{}", #"{"a":1}"#, " 7 ", "1 2", #""x""#, "[1,]",
  ]

  @Test func readBodiesAreReadAsJSONDecoderReadsThem() {
    var rng = SplitMix64(seed: 2026)
    let keys = [
      #""entities""#, #""features""#, #""feature_service""#, #""full_feature_names""#,
      #""include_feature_view_version_metadata""#,
    ]
    // Mostly what Feast's clients send, with a field of another kind now and then.
    func value(_ key: String) -> String {
      switch (key, Int.random(in: 0..<8, using: &rng)) {
      case (_, 0): return Self.cells.randomElement(using: &rng)!
      case (#""entities""#, 1): return #"{"a": [1], "a": [2]}"#
      case (#""entities""#, 2): return #"{"driver_id": [1001, "1002"]}"#
      case (#""entities""#, _):
        let n = Int.random(in: 0..<4, using: &rng)
        return #"{"id": ["#
          + (0..<n).map { _ in Self.cells.randomElement(using: &rng)! }
          .joined(separator: ",") + "]}"
      case (#""features""#, 1): return #"["a\u003ab"]"#
      case (#""features""#, _): return #"["driver:trips", "driver:conv_rate"]"#
      case (#""feature_service""#, _): return #""driver_service""#
      default: return Bool.random(using: &rng) ? "true" : "false"
      }
    }
    var fast = 0
    for _ in 0..<3_000 {
      var fields = keys.shuffled(using: &rng).prefix(Int.random(in: 0...5, using: &rng)).map {
        "\($0): \(value($0))"
      }
      if Int.random(in: 0..<10, using: &rng) == 0 { fields += fields.prefix(1) }  // twice
      let body = "{" + fields.joined(separator: ", ") + "}"
      if read(OnlineFeaturesRequest.self, body) != nil { fast += 1 }
    }
    #expect(fast > 300, "the reader read \(fast) of 3,000 bodies")
  }

  @Test func pushBodiesAreReadAsJSONDecoderReadsThem() {
    var rng = SplitMix64(seed: 1000)
    var fast = 0
    for _ in 0..<3_000 {
      let n = Int.random(in: 0..<3, using: &rng)
      func column() -> String {
        "[" + (0..<n).map { _ in Self.cells.randomElement(using: &rng)! }.joined(separator: ",")
          + "]"
      }
      var fields = [#""df": {"driver_id": "# + column() + #", "trips": "# + column() + "}"]
      if Bool.random(using: &rng) { fields.append(#""to": "online""#) }
      if Bool.random(using: &rng) { fields.append(#""allow_registry_cache": false"#) }
      let push =
        "{"
        + ([#""push_source_name": "driver""#] + fields).shuffled(using: &rng)
        .joined(separator: ",") + "}"
      if read(PushRequest.self, push) != nil { fast += 1 }
      let write =
        "{"
        + ([#""feature_view_name": "driver""#] + fields).shuffled(using: &rng)
        .joined(separator: ",") + "}"
      if read(WriteToOnlineStoreRequest.self, write) != nil { fast += 1 }
    }
    #expect(fast > 600, "the reader read \(fast) of 6,000 bodies")
  }

  /// What Feast's SDK sends (as recorded) and the benchmark's bodies take the fast way.
  @Test func feastsOwnBodiesAreRead() throws {
    let online = try #require(
      read(
        OnlineFeaturesRequest.self,
        #"{"entities": {"driver_id": [1001, 1002, 1003, 2001]}, "full_feature_names": false, "include_feature_view_version_metadata": false, "features": ["driver:conv_rate", "driver:trips"]}"#
      ))
    #expect(online.entities == ["driver_id": [.int(1001), .int(1002), .int(1003), .int(2001)]])
    #expect(online.features == ["driver:conv_rate", "driver:trips"])
    let write = try #require(
      read(
        WriteToOnlineStoreRequest.self,
        #"{"feature_view_name": "driver", "df": {"driver_id": [2001], "conv_rate": [0.75], "trips": [5], "active": [false], "name": ["Cy"], "vec": [[1.0, 2.0, 3.0]], "event_timestamp": ["2026-02-01T12:30:00"], "created": [null]}, "allow_registry_cache": false}"#
      ))
    #expect(write.df["vec"] == [.numbers([1, 2, 3])])
    #expect(write.df["conv_rate"] == [.double(0.75)])
    #expect(
      read(
        OnlineFeaturesRequest.self,
        #"{"features": ["user:f00"], "entities": {"user_id": ["u1", "u2"]}}"#) != nil)
  }

  /// Numbers are read from their bytes as Swift reads their text: a scalar written as an
  /// integer as `Int64(text)`, any other as `Double(text)` (whole values give up, as
  /// ``JSONReader`` documents), and a vector's elements as `Double(text)`. Random texts:
  /// mantissas past 2⁵³ and past `UInt64`, fractions, exponents near and past 10²².
  @Test func numbersAreReadAsTheirTextIs() {
    let seed: UInt64 = 5_322
    var rng = SplitMix64(seed: seed)
    print("JSONReaderTests.numbersAreReadAsTheirTextIs seed \(seed)")
    func digits(_ count: Int) -> String {
      String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
    }
    for _ in 0..<20_000 {
      var text = Bool.random(using: &rng) ? "-" : ""
      let integerDigits = Int.random(in: 1...21, using: &rng)
      text +=
        integerDigits == 1
        ? digits(1) : String(Int.random(in: 1...9, using: &rng)) + digits(integerDigits - 1)
      if Int.random(in: 0..<3, using: &rng) > 0 {
        text += "." + digits(Int.random(in: 1...20, using: &rng))
      }
      if Int.random(in: 0..<3, using: &rng) == 0 {
        text +=
          ["e", "E"].randomElement(using: &rng)! + ["", "+", "-"].randomElement(using: &rng)!
        text += digits(Int.random(in: 1...3, using: &rng))
      }
      let expected: JSONCell? =
        text.contains(where: { ".eE".contains($0) })
        ? Double(text).flatMap { $0.rounded() != $0 ? .double($0) : nil }
        : Int64(text).map(JSONCell.int)
      let cell = JSONReader.read(ByteBuffer(string: text)) { $0.cell() }
      #expect(cell == expected, "\(text)")
      let vector = JSONReader.read(ByteBuffer(string: "[\(text)]")) { $0.cell() }
      #expect(vector == Double(text).map { .numbers([$0]) }, "\(text)")
    }
  }
}
