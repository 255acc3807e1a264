/// Text shown to people on a terminal.
public enum DisplayText {
  /// `text` on one line with no control character, so that no id, lineage string or value can
  /// break a line of output or reach a terminal as an escape sequence: a backslash doubled (every
  /// escape reads back unambiguously), newline, return and tab as `\n`, `\r`, `\t`, every other
  /// C0 control, DEL and C1 control as `\u{1B}`. Text with none of these is returned as is.
  ///
  /// ```swift
  /// DisplayText.oneLine("a\u{1B}[31mb\nc")   // a\u{1B}[31mb\nc
  /// ```
  public static func oneLine(_ text: String) -> String {
    guard text.unicodeScalars.contains(where: { $0 == "\\" || isControl($0) }) else { return text }
    var out = ""
    for c in text.unicodeScalars {
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

  /// C0 controls, DEL and C1 controls.
  static func isControl(_ c: Unicode.Scalar) -> Bool {
    c.value < 0x20 || (0x7F...0x9F).contains(c.value)
  }
}
