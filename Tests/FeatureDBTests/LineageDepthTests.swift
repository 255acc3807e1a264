import Foundation
import Testing

@testable import FeatureDB

/// Lineage trees of any depth are built, compared, rendered and released without recursion.
@Suite struct LineageDepthTests {
  /// Writes a chain `length` versions long in one batch: `c:e<i>@1` derived from
  /// `c:e<i-1>@1` (an earlier operation of the same batch).
  static func writeChain(_ db: FeatureStore, length: Int) throws {
    try db.define(FeatureDefinition("c", type: .int, maxVersions: 0))
    try db.write { batch in
      for i in 0..<length {
        let inputs: [LineageInput] = i == 0 ? [.raw("evt")] : [.version("c", "e\(i - 1)", 1)]
        batch.put("c", "e\(i)", Int64(i), lineage: Lineage(producer: "p@1", inputs: inputs))
      }
    }
  }

  @Test func aChainTwentyThousandLevelsDeepIsWalkedUpAndDown() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let n = 20_000
    try Self.writeChain(db, length: n)
    let up = try db.upstream("c", "e\(n - 1)", depth: n)
    let nodes = up.all
    #expect(nodes.count == n + 1)  // and the raw input
    #expect(nodes.last?.rawInput == "evt" && nodes.last?.level == n)
    #expect(nodes.allSatisfy { !$0.truncated && !$0.repeated })
    #expect(up == (try db.upstream("c", "e\(n - 1)", depth: n)))
    #expect(Set([up, up]).count == 1)
    let down = try db.downstream("c", "e0", depth: n)
    #expect(down.all.map(\.ref?.entity) == (0..<n).map { "e\($0)" })
    // --depth bounds the walk: ten levels below the root, the last one cut short.
    let bounded = try db.upstream("c", "e\(n - 1)", depth: 10)
    #expect(bounded.all.count == 11 && bounded.all.last?.truncated == true)
    #expect(bounded.rendered().split(separator: "\n").count == 11)
  }

  @Test func renderedLinesFollowTheTree() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try Self.writeChain(db, length: 3)
    try db.define(FeatureDefinition("d", type: .int, maxVersions: 0))
    try db.put(
      "d", "x", 1,
      lineage: Lineage(inputs: [.version("c", "e2", 1), .version("c", "e0", 1), .raw("r")]))
    let lines = try db.upstream("d", "x").rendered().split(separator: "\n").map {
      $0.prefix { !$0.isLetter }
    }
    #expect(lines == ["", "├─ ", "│  └─ ", "│     └─ ", "│        └─ ", "├─ ", "└─ "])
  }
}
