import Foundation
import TestSupport
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
    return shellSessions(section)
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
        actual.map(normalizedSessionLine) == expected.map(normalizedSessionLine),
        "README: $ \(command)\n\(result)")
      for (e, a) in zip(expected, actual) {
        for (readme, real) in zip(writeTimes(e), writeTimes(a)) where seen[readme] == nil {
          seen[readme] = real
        }
      }
    }
  }
}
