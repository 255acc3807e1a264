import Foundation
import Testing

/// README.md's command-line tour, run verbatim: every `$ ` line of the fenced blocks between
/// "## Command line" and the next section, in order, in one fresh directory, its stdout and
/// stderr compared with the lines that follow it. Write times (with fractional seconds) differ
/// from run to run: they are compared as placeholders, and a README time given back to a command
/// (`--as-of-write`) is replaced by the time the run printed in its place.
@Suite struct ReadmeTourTests {
  static let readme = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("README.md")

  /// (command, expected output lines) in README order.
  static func steps() throws -> [(String, [String])] {
    let text = try String(contentsOf: readme, encoding: .utf8)
    guard let start = text.range(of: "\n## Command line\n") else { return [] }
    let rest = text[start.upperBound...]
    let section = rest.range(of: "\n## ").map { rest[..<$0.lowerBound] } ?? rest
    var steps: [(String, [String])] = []
    var fenced = false
    var plain = false  // a ``` block (a ```sh block shows setup, not a session)
    for line in section.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.hasPrefix("```") {
        fenced.toggle()
        plain = fenced && line == "```"
        continue
      }
      guard plain else { continue }
      if line.hasPrefix("$ ") {
        steps.append((String(line.dropFirst(2)), []))
      } else if !steps.isEmpty {
        steps[steps.count - 1].1.append(line)
      }
    }
    return steps
  }

  static let time = try! NSRegularExpression(
    pattern: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z"#)

  static func times(_ line: String) -> [String] {
    time.matches(in: line, range: NSRange(line.startIndex..., in: line)).map {
      String(line[Range($0.range, in: line)!])
    }
  }

  /// Times replaced by a placeholder, runs of spaces (table padding) by one.
  static func normalized(_ line: String) -> String {
    let masked = time.stringByReplacingMatches(
      in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "<time>")
    return masked.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
  }

  @Test func theCommandLineTourRunsAsWritten() throws {
    let steps = try Self.steps()
    #expect(steps.count >= 25, "the README tour has \(steps.count) commands")
    let cli = CLI()
    let bin = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().path
    let path = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    var seen: [String: String] = [:]  // README time → this run's time
    for (command, expected) in steps {
      var command = command
      for (readme, actual) in seen {
        command = command.replacingOccurrences(of: readme, with: actual)
      }
      let process = try cli.start(
        ["-c", command + " 2>&1"], environment: ["PATH": path], executable: "/bin/sh")
      let result = process.finish()
      let actual = result.lines
      #expect(
        actual.map(Self.normalized) == expected.map(Self.normalized),
        "README: $ \(command)\n\(result)")
      for (e, a) in zip(expected, actual) {
        for (readme, real) in zip(Self.times(e), Self.times(a)) where seen[readme] == nil {
          seen[readme] = real
        }
      }
    }
  }
}
