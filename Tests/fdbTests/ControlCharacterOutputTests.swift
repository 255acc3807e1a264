import Foundation
import Testing

/// Ids and lineage strings holding a newline, an ANSI escape or other control characters never
/// reach the terminal raw and never break a table's or a list's lines (issue 19, item 12's
/// siblings: tables, `key  value` lines, `entities` and `verify`); `--json` keeps them exact.
@Suite struct ControlCharacterOutputTests {
  static let nasty = "a\u{1B}[31mred\nline\u{7}\u{85}end"

  /// No control character but the line ends.
  func expectPrintable(
    _ outcome: Outcome, lines: Int, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let controls = outcome.stdout.unicodeScalars.filter {
      $0 != "\n" && ($0.value < 0x20 || (0x7f...0x9f).contains($0.value))
    }
    #expect(controls.isEmpty, "\(outcome.stdout.debugDescription)", sourceLocation: sourceLocation)
    #expect(outcome.lines.count == lines, "\(outcome.stdout)", sourceLocation: sourceLocation)
  }

  @Test func tablesListsAndFieldsEscapeControlCharacters() throws {
    let cli = try CLI().initialized([("s", "string")])
    try cli.ok(
      ["put", "s", Self.nasty, Self.nasty, "--producer", Self.nasty, "--source", Self.nasty])
    expectPrintable(try cli.ok(["history", "s", Self.nasty]), lines: 2)
    expectPrintable(try cli.ok(["get", Self.nasty, "--all"]), lines: 2)
    expectPrintable(try cli.ok(["get", "s", Self.nasty]), lines: 6)
    expectPrintable(try cli.ok(["entities", "s"]), lines: 1)
    #expect(try cli.ok(["entities", "s"]).stdout.contains("\\u{1B}[31mred\\nline"))
    #expect(
      try cli.ok(["entities", "s", "--json"]).jsonLines.first?["entity"] as? String == Self.nasty)
  }
}
