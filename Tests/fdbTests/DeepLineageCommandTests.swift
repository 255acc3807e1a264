import FeatureDB
import Foundation
import Testing

/// `fdb lineage` and `fdb graph` over a chain 20,000 levels deep, in every format, both ways.
@Suite struct DeepLineageCommandTests {
  static let length = 20_000

  /// A store holding `c:e<i>@1` derived from `c:e<i-1>@1`, written in one batch.
  static func store() throws -> CLI {
    let cli = CLI()
    let db = try FeatureStore(path: cli.store, options: StoreOptions(durability: .noSync))
    try db.define(FeatureDefinition("c", type: .int, maxVersions: 0))
    try db.write { batch in
      for i in 0..<length {
        let inputs: [LineageInput] = i == 0 ? [.raw("evt")] : [.version("c", "e\(i - 1)", 1)]
        batch.put("c", "e\(i)", Int64(i), lineage: Lineage(producer: "p@1", inputs: inputs))
      }
    }
    return cli
  }

  @Test func everyFormatAnswersBothWays() throws {
    let cli = try Self.store()
    let n = Self.length
    let top = "e\(n - 1)"
    let depth = ["--depth", String(n)]
    // JSON both ways; the graph formats one way each (they share the walk).
    for (entity, way) in [(top, "--upstream"), ("e0", "--downstream")] {
      let json = try cli.ok(["lineage", "c", entity, way, "--format", "json"] + depth).stdout
      let nodes = n + (way == "--upstream" ? 1 : 0)  // and the raw input upstream
      #expect(json.components(separatedBy: "\"feature\": \"c\"").count == n + 1)
      #expect(json.components(separatedBy: "\"children\": [").count == nodes + 1)
      #expect(json.hasPrefix("{\n  \"feature\": \"c\",") && json.hasSuffix("}\n"))
      // Deep objects are indented as the limit allows, not further.
      #expect(json.split(separator: "\n").map(\.count).max()! < 140)
    }
    let dot = try cli.ok(["lineage", "c", top, "--format", "dot"] + depth).lines
    #expect(dot.count == n + 4)  // a header of three lines, n edges, a closing brace
    let mermaid = try cli.ok(["lineage", "c", "e0", "--downstream", "--format", "mermaid"] + depth)
    #expect(mermaid.lines.count == n)  // a header and n - 1 edges
    let tree = try cli.ok(["lineage", "c", top, "--depth", "3000"]).lines
    #expect(tree.count == 3001 && tree.last!.hasSuffix("…"))
    let bounded = try cli.ok(["lineage", "c", top]).lines
    #expect(bounded.count == 11)
    let graph = try cli.ok(["graph", "--json"]).stdout
    #expect(graph.contains("\"count\": \(n - 1)"))
  }
}
