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

extension LineageDepthTests {
  /// Versions 1…`length` of `feature`:u, each derived from the one before (one batch), one
  /// second apart or all at one event time.
  static func writeOneChain(
    _ db: FeatureStore, _ feature: String, length: Int, oneEventTime: Bool = false
  ) throws {
    try db.define(FeatureDefinition(feature, type: .int, maxVersions: 0))
    try db.write { batch in
      for i in 1...length {
        let inputs: [LineageInput] = i == 1 ? [] : [.version(feature, "u", UInt64(i - 1))]
        batch.put(
          feature, "u", Int64(i), eventTime: t(0, seconds: oneEventTime ? 0 : Int64(i)),
          lineage: Lineage(inputs: inputs))
      }
    }
  }

  @Test func eachLevelDownFromTheOldestVersionIsASeekNotAScanOfTheChain() throws {
    let (db, dir) = try makeStore()
    _ = dir
    try Self.writeOneChain(db, "long", length: 100_000)
    try Self.writeOneChain(db, "same", length: 100_000, oneEventTime: true)
    /// Seconds to walk `depth` levels down from version 1.
    func seconds(_ feature: String, depth: Int) throws -> Double {
      var tree: LineageNode?
      let elapsed = try ContinuousClock().measure {
        tree = try db.downstream(feature, "u", version: 1, depth: depth)
      }
      #expect(tree?.all.map { Int($0.ref!.version) } == Array(1...depth + 1))
      return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
    // Version 1 lies at the far end of its chain from the head. Finding the root reads the
    // chain once; each version below it has its event time in the `derived` index and is
    // sought. Found by reading from the newest entry instead, 101 levels would cost about 100
    // times one level.
    // The same when every version has one event time (its versions fill many segments).
    for feature in ["long", "same"] {
      let one = try seconds(feature, depth: 1)
      let many = try seconds(feature, depth: 101)
      print("downstream from \(feature):u@1 of 100,000: 1 level \(one) s, 101 levels \(many) s")
      #expect(many < 6 * one + 0.05)
    }
  }
}
