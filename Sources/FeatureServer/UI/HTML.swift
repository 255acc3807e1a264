import Hummingbird

/// Server-rendered HTML for the web UI: escaping, and one page layout.
enum HTML {
  /// `text` with `&`, `<`, `>`, `"` and `'` escaped, for element text and attribute values.
  static func escape(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for c in text.unicodeScalars {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.unicodeScalars.append(c)
      }
    }
    return out
  }

  /// `value` percent-encoded for a query parameter.
  static func query(_ value: String) -> String {
    value.utf8.map { byte in
      let c = UnicodeScalar(byte)
      if c.properties.isASCIIHexDigit || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
        || "-._~".unicodeScalars.contains(c)
      {
        return String(c)
      }
      let hex = String(byte, radix: 16, uppercase: true)
      return "%" + (hex.count == 1 ? "0" + hex : hex)
    }.joined()
  }

  /// A table: header cells, then rows of cells that are already HTML.
  static func table(_ header: [String], _ rows: [[String]]) -> String {
    "<table><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
      + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</table>"
  }

  /// A link to `path` with `parameters`, showing `text`.
  static func link(_ text: String, _ path: String, _ parameters: [(String, String)] = []) -> String
  {
    let q = parameters.map { "\($0)=\(query($1))" }.joined(separator: "&")
    return "<a href=\"\(path)\(q.isEmpty ? "" : "?" + q)\">\(escape(text))</a>"
  }

  /// A whole page titled `title` around `body` (HTML).
  static func page(_ title: String, _ body: String, status: HTTPResponse.Status = .ok) -> Response {
    let html = """
      <!doctype html><html><head><meta charset="utf-8"><title>\(escape(title)) · FeatureDB</title>
      <style>
      body{font:14px system-ui,sans-serif;margin:24px;color:#222}
      h1{font-size:20px}h2{font-size:16px;margin-top:28px}
      table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left}
      th{background:#f4f4f4}a{color:#1a56a8}.retracted{color:#b00}.muted{color:#777}
      nav a{margin-right:14px}form{display:inline}
      </style></head><body>
      <nav><a href="/ui">FeatureDB</a><a href="/ui/runs">runs</a><a href="/ui/ops">operations</a></nav>
      <h1>\(escape(title))</h1>
      \(body)
      </body></html>
      """
    return Response(
      status: status, headers: [.contentType: "text/html; charset=utf-8"],
      body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
  }
}
