import Foundation
import Testing

@testable import FeatureDB

/// The entity → shard function: the golden table the Spark side checks too, parsing, balance,
/// and the consistent-hash property (issue 21, item 2).
@Suite struct ShardTests {
  struct Golden: Decodable {
    struct Row: Decodable {
      let entity: String
      let fnv1a64: String
      let shards: [String: Int]
    }
    let entities: [Row]
  }

  static func golden() throws -> Golden {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    let data = try Data(contentsOf: root.appendingPathComponent("spark/tests/shard_golden.json"))
    return try JSONDecoder().decode(Golden.self, from: data)
  }

  @Test func matchesTheGoldenTable() throws {
    let golden = try Self.golden()
    #expect(golden.entities.count >= 15)
    for row in golden.entities {
      #expect(
        String(Shard.fnv1a(row.entity), radix: 16).leftPadded(16) == row.fnv1a64, "\(row.entity)")
      for (n, k) in row.shards {
        #expect(Shard.index(of: row.entity, shards: Int(n)!) == k, "\(row.entity) of \(n)")
        #expect(try Shard(k, of: Int(n)!).contains(row.entity))
      }
    }
  }

  @Test func fnvTestVectors() {
    #expect(Shard.fnv1a("") == 0xcbf2_9ce4_8422_2325)
    #expect(Shard.fnv1a("a") == 0xaf63_dc4c_8601_ec8c)
    #expect(Shard.fnv1a("foobar") == 0x8594_4171_f739_67e8)
  }

  @Test func parsesKOfN() throws {
    let shard = try Shard(parsing: "2/3")
    #expect(shard.index == 2 && shard.count == 3 && shard.description == "2/3")
    #expect(try Shard(parsing: "0/1") == Shard(0, of: 1))
    #expect(try Shard(parsing: "65535/65536").index == 65535)
  }

  @Test(arguments: [
    "", "1", "3/3", "-1/3", "1/0", "0/65537", "a/3", "1/3/4", " 1/3", "1/3 ", "+1/3", "١/٣",
  ])
  func rejectsBadShards(_ text: String) {
    let error = thrownError { _ = try Shard(parsing: text) }
    guard case .invalidShard(let named, _) = error else {
      Issue.record("\(text): \(String(describing: error))")
      return
    }
    #expect(named == text || named.contains("/"))
  }

  /// 30,000 ids over 3 shards: each gets a third, within 3 %.
  @Test func spreadsEvenly() {
    var counts = [0, 0, 0]
    for i in 0..<30_000 { counts[Shard.index(of: "user\(i)", shards: 3)] += 1 }
    for c in counts { #expect(abs(c - 10_000) < 300, "\(counts)") }
  }

  /// Going from N to N+1 shards, an entity either stays or moves to the new shard N, and about
  /// 1/(N+1) move (seeded ids; the seed is printed).
  @Test func growingMovesOnlyToTheNewShard() {
    var random = SplitMix64(seed: 21)
    print("ShardTests seed 21")
    for n in [1, 2, 3, 7] {
      var moved = 0
      for _ in 0..<5_000 {
        let id = "e\(random.next())"
        let before = Shard.index(of: id, shards: n)
        let after = Shard.index(of: id, shards: n + 1)
        #expect(after == before || after == n, "\(id): \(before) of \(n) → \(after) of \(n + 1)")
        if after != before { moved += 1 }
      }
      #expect(abs(Double(moved) / 5_000 - 1 / Double(n + 1)) < 0.03, "\(moved) moved at \(n)")
    }
  }
}

extension String {
  fileprivate func leftPadded(_ width: Int) -> String {
    String(repeating: "0", count: max(0, width - count)) + self
  }
}
