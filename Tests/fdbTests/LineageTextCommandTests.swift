import Foundation
import Testing

/// Ids, producers and raw inputs holding quotes, brackets, `#`, a newline and an ANSI escape
/// are escaped in every lineage format, and a write naming itself is refused.
@Suite struct LineageTextCommandTests {
  static let nasty = "x\"] [y]|;\n\u{1B}[31m#quot;]\\z"

  static func store() throws -> CLI {
    let cli = try CLI().initialized([("a", "int"), ("b", "int")])
    try cli.ok(["put", "a", nasty, "1", "--producer", "p\(nasty)@1", "--input", "raw:r\(nasty)"])
    try cli.ok(["put", "b", nasty, "2", "--producer", "q\(nasty)@1", "--input", "a:\(nasty)@1"])
    return cli
  }

  @Test func treeLinesHoldNoControlCharacters() throws {
    let cli = try Self.store()
    let tree = try cli.ok(["lineage", "b", Self.nasty]).stdout
    #expect(!tree.contains("\u{1B}"))
    #expect(tree.split(separator: "\n").count == 3)
    #expect(tree.contains(#"b:x"] [y]|;\n\u{1B}[31m#quot;]\\z@1 = 2 producer q"#))
  }

  @Test func dotStringsAreEscaped() throws {
    let cli = try Self.store()
    let quoted = #""(?:[^"\\\n\u001B]|\\[^\n])*""#
    let edge = try Regex("^  \(quoted) -> \(quoted) \\[label=\(quoted)\\];$")
    for arguments in [
      ["lineage", "b", Self.nasty, "--format", "dot"], ["graph", "--format", "dot"],
      ["lineage", "a", Self.nasty, "--downstream", "--format", "dot"],
    ] {
      let lines = try cli.ok(arguments).lines
      #expect(lines.count == (arguments[0] == "graph" ? 5 : arguments.count == 6 ? 5 : 6))
      for line in lines.dropFirst(3).dropLast() {
        #expect(line.wholeMatch(of: edge) != nil, "\(line)")
      }
    }
  }

  @Test func mermaidLabelsAreEscaped() throws {
    let cli = try Self.store()
    let label = #"\["[^"\[\]#;|\n\u001B]*(?:#[0-9]+;[^"\[\]#;|\n\u001B]*)*"\]"#
    let text = #""[^"\[\]#;|\n\u001B]*(?:#[0-9]+;[^"\[\]#;|\n\u001B]*)*""#
    let edge = try Regex("^  f[0-9]+\(label) -->(?:\\|\(text)\\|)? f[0-9]+\(label)$")
    for arguments in [
      ["lineage", "b", Self.nasty, "--format", "mermaid"], ["graph", "--format", "mermaid"],
    ] {
      let lines = try cli.ok(arguments).lines
      #expect(lines.count >= 2)
      for line in lines.dropFirst() {
        #expect(line.wholeMatch(of: edge) != nil, "\(line)")
      }
    }
  }

  @Test func aWriteNamingItselfIsAUsageError() throws {
    let cli = try CLI().initialized([("a", "int")])
    let message = try cli.fails(2, ["put", "a", "u", "1", "--input", "a:u@1"])
    #expect(message.contains("a:u@1"))
    try cli.ok(["put", "a", "u", "1"])
    try cli.fails(2, ["put", "a", "u", "2", "--input", "a:u@2"])
    try cli.ok(["put", "a", "u", "2", "--input", "a:u@1"])
  }
}
