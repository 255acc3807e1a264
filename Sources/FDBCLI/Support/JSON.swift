/// A JSON value with ordered object keys, rendered the same way on every platform.
public enum JSON: Sendable {
  case null
  case bool(Bool)
  /// A number, already in JSON syntax.
  case number(String)
  case string(String)
  case array([JSON])
  /// Keys keep the order given.
  case object([(String, JSON)])

  public static func int<I: BinaryInteger>(_ v: I) -> JSON { .number(String(v)) }

  /// A finite double as a number; NaN and ±infinity (not JSON numbers) as the strings `"NaN"`,
  /// `"Infinity"`, `"-Infinity"`.
  public static func double(_ v: Double) -> JSON {
    v.isFinite ? .number(String(v)) : .string(v.isNaN ? "NaN" : v < 0 ? "-Infinity" : "Infinity")
  }

  public static func float(_ v: Float) -> JSON {
    v.isFinite ? .number(String(v)) : .double(Double(v))
  }

  /// `value` rendered, or null when nil.
  public static func optional<T>(_ value: T?, _ render: (T) -> JSON) -> JSON {
    value.map(render) ?? .null
  }

  /// On one line (JSON lines).
  public var compact: String {
    var out = ""
    write(to: &out, indent: nil, level: 0)
    return out
  }

  /// Indented by two spaces (single documents).
  public var pretty: String { pretty(level: 0) }

  /// Indented by two spaces as a value nested `level` levels deep (its first line is not).
  public func pretty(level: Int) -> String {
    var out = ""
    write(to: &out, indent: "  ", level: level)
    return out
  }

  private func write(to out: inout String, indent: String?, level: Int) {
    func newline(_ level: Int) {
      guard let indent else { return }
      out += "\n" + String(repeating: indent, count: level)
    }
    switch self {
    case .null: out += "null"
    case .bool(let v): out += v ? "true" : "false"
    case .number(let v): out += v
    case .string(let v): JSON.escape(v, into: &out)
    case .array(let items):
      guard !items.isEmpty else {
        out += "[]"
        return
      }
      out += "["
      for (i, item) in items.enumerated() {
        if i > 0 { out += "," }
        newline(level + 1)
        item.write(to: &out, indent: indent, level: level + 1)
      }
      newline(level)
      out += "]"
    case .object(let fields):
      guard !fields.isEmpty else {
        out += "{}"
        return
      }
      out += "{"
      for (i, (key, value)) in fields.enumerated() {
        if i > 0 { out += "," }
        newline(level + 1)
        JSON.escape(key, into: &out)
        out += indent == nil ? ":" : ": "
        value.write(to: &out, indent: indent, level: level + 1)
      }
      newline(level)
      out += "}"
    }
  }

  private static func escape(_ s: String, into out: inout String) {
    out += "\""
    // Most strings (names, ids, times) need no escape: append them whole.
    if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x7f || $0 == 0x22 || $0 == 0x5c }) {
      out += s
      out += "\""
      return
    }
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case let c where c.value < 0x20 || c.value == 0x7f:
        let hex = String(c.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    out += "\""
  }
}
