/// How ids, values and labels are written into each lineage output format, so that no text,
/// whatever characters it holds, can break the format or reach a terminal as a control sequence.
enum LineageText {
  /// For people (`rendered()`): a control character (`\n`, ESC, DEL, C1) as `\n`, `\r`, `\t`
  /// or `\u{1B}`, and a backslash doubled, so every escape reads back unambiguously.
  static func escaped(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: { $0 == "\\" || isControl($0) }) else { return s }
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case let c where isControl(c): out += "\\u{\(String(c.value, radix: 16, uppercase: true))}"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// Inside a DOT double-quoted string: `\` and `"` escaped, a newline as DOT's `\n`, `&` and
  /// every other control character as an HTML entity (`&amp;`, `&#27;`), which Graphviz shows
  /// as the character.
  static func dot(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
      switch c {
      case "\\": out += "\\\\"
      case "\"": out += "\\\""
      case "\n": out += "\\n"
      case "&": out += "&amp;"
      case let c where isControl(c): out += "&#\(c.value);"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// Inside a Mermaid `"…"` label: every character but letters, digits, space and `_ . : @ / -`
  /// as a Mermaid entity code (`#34;`), so quotes, brackets, `#`, `;`, newlines and control
  /// characters cannot end the label or the line.
  static func mermaid(_ s: String) -> String {
    var out = ""
    for c in s.unicodeScalars {
      if c.isASCII,
        c.properties.isAlphabetic || ("0"..."9").contains(c) || " _.:@/-".unicodeScalars.contains(c)
      {
        out.unicodeScalars.append(c)
      } else if !c.isASCII, !isControl(c) {
        out.unicodeScalars.append(c)
      } else {
        out += "#\(c.value);"
      }
    }
    return out
  }

  /// C0 and C1 control characters and DEL.
  private static func isControl(_ c: Unicode.Scalar) -> Bool {
    c.value < 0x20 || (0x7F...0x9F).contains(c.value)
  }
}
