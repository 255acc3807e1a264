/// How ids, values and labels are written into each lineage output format, so that no text,
/// whatever characters it holds, can break the format or reach a terminal as a control sequence.
enum LineageText {
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
      case let c where DisplayText.isControl(c): out += "&#\(c.value);"
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
      } else if !c.isASCII, !DisplayText.isControl(c) {
        out.unicodeScalars.append(c)
      } else {
        out += "#\(c.value);"
      }
    }
    return out
  }

  /// C0 and C1 control characters and DEL.

}
