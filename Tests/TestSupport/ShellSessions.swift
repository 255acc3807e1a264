import Foundation

/// The shell sessions of a Markdown document: in each plain ``` block (a ```sh block shows
/// setup, not a session), every `$ ` line is a command and the lines after it, up to the next
/// command or the block's end, its expected output.
package func shellSessions(_ text: Substring) -> [(command: String, output: [String])] {
  var steps: [(String, [String])] = []
  var fenced = false
  var plain = false
  for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
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

/// Write times (ISO-8601 with fractional seconds) as they vary from run to run.
package let writeTimePattern = try! NSRegularExpression(
  pattern: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z"#)

/// The write times in `line`.
package func writeTimes(_ line: String) -> [String] {
  writeTimePattern.matches(in: line, range: NSRange(line.startIndex..., in: line)).map {
    String(line[Range($0.range, in: line)!])
  }
}

/// `line` with write times replaced by a placeholder and runs of spaces (table padding) by one.
package func normalizedSessionLine(_ line: String) -> String {
  let masked = writeTimePattern.stringByReplacingMatches(
    in: line, range: NSRange(line.startIndex..., in: line), withTemplate: "<time>")
  return masked.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
}
