import FeatureDB
import Foundation

/// Where and how a command prints: JSON or text, quiet or not, colour or not.
///
/// Results go to stdout; notes for people (confirmations, hints) too, unless `--quiet` or
/// `--json`. Colour only when stdout is a terminal and `NO_COLOR` is unset (or empty).
struct Output {
  let json: Bool
  let quiet: Bool
  let color: Bool

  init(json: Bool, quiet: Bool, color: Bool = Terminal.colorOnStdout) {
    self.json = json
    self.quiet = quiet
    self.color = color && !json
  }

  /// A line of the result, for people (skipped with `--json`).
  func line(_ text: String = "") {
    guard !json else { return }
    print(text)
  }

  /// A confirmation or hint, for people (skipped with `--quiet` or `--json`).
  func note(_ text: String) {
    guard !json, !quiet else { return }
    print(text)
  }

  /// One JSON document (only with `--json`).
  func document(_ value: JSON) {
    guard json else { return }
    print(value.pretty)
  }

  /// One JSON line of a stream (only with `--json`).
  func jsonLine(_ value: JSON) {
    guard json else { return }
    print(value.compact)
  }

  /// An aligned table (skipped with `--json`).
  func table(_ table: Table) {
    guard !json else { return }
    for line in table.render(color: color) { print(line) }
  }

  /// Aligned `key  value` lines (skipped with `--json`).
  func fields(_ pairs: [(String, String)]) {
    guard !json else { return }
    let width = pairs.map(\.0.count).max() ?? 0
    for (key, value) in pairs {
      print(style(key.padding(width), .dim) + "  " + DisplayText.oneLine(value))
    }
  }

  func style(_ text: String, _ style: Style) -> String {
    color ? style.apply(text) : text
  }
}

/// Text attributes for terminal output.
enum Style {
  case plain, bold, dim, red, green, yellow

  func apply(_ text: String) -> String {
    let code: String
    switch self {
    case .plain: return text
    case .bold: code = "1"
    case .dim: code = "2"
    case .red: code = "31"
    case .green: code = "32"
    case .yellow: code = "33"
    }
    return "\u{1B}[\(code)m\(text)\u{1B}[0m"
  }
}

/// Rows aligned in columns, two spaces apart; numbers right-aligned.
struct Table {
  struct Column {
    var title: String
    var rightAligned = false
  }

  /// A cell's text (on one line: `DisplayText.oneLine`) and how it is shown in colour.
  struct Cell: ExpressibleByStringLiteral {
    var text: String
    var style: Style = .plain
    init(_ text: String, _ style: Style = .plain) {
      self.text = DisplayText.oneLine(text)
      self.style = style
    }
    init(stringLiteral text: String) { self.text = text }
  }

  var columns: [Column]
  var rows: [[Cell]] = []

  init(_ columns: [Column]) { self.columns = columns }

  mutating func append(_ row: [Cell]) { rows.append(row) }

  func render(color: Bool) -> [String] {
    var widths = columns.map(\.title.count)
    for row in rows {
      for (i, cell) in row.enumerated() where i < widths.count {
        widths[i] = max(widths[i], cell.text.count)
      }
    }
    func line(_ cells: [Cell]) -> String {
      var out = ""
      for (i, cell) in cells.enumerated() where i < columns.count {
        let isLast = i == columns.count - 1
        let padded =
          columns[i].rightAligned
          ? cell.text.padding(widths[i], left: true)
          : isLast ? cell.text : cell.text.padding(widths[i])
        out += (i > 0 ? "  " : "") + (color ? cell.style.apply(padded) : padded)
      }
      return out
    }
    let header = columns.map { Cell($0.title, .bold) }
    return [line(header)] + rows.map(line)
  }
}

extension String {
  /// Padded with spaces to `width` characters (on the left when `left`).
  func padding(_ width: Int, left: Bool = false) -> String {
    let pad = String(repeating: " ", count: max(0, width - count))
    return left ? pad + self : self + pad
  }
}

/// Facts about the terminal.
enum Terminal {
  /// True when stdout is a terminal and `NO_COLOR` is unset or empty (https://no-color.org).
  static var colorOnStdout: Bool {
    let env = ProcessInfo.processInfo.environment
    return isatty(STDOUT_FILENO) != 0 && (env["NO_COLOR"] ?? "").isEmpty && env["TERM"] != "dumb"
  }

  /// True when stderr is a terminal (progress is shown only then).
  static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

  /// Writes `text` to stderr as is. A stderr that cannot take it has nowhere to be reported:
  /// the command's exit status still tells.
  static func writeError(_ text: String) {
    _ = try? FileHandle.standardError.write(contentsOf: Data(text.utf8))
  }
}
