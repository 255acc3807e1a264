import FDBCLI
import FeatureDB

/// A lineage tree drawn as SVG: one box per node, a column per level, a line from each node to
/// each of its children. Written without recursion, from the tree's depth-first list.
enum LineageSVG {
  static let boxWidth = 250
  static let boxHeight = 40
  static let columnStep = 300
  static let rowStep = 56

  /// The SVG of `root` and the nodes below it.
  static func render(_ root: LineageNode) -> String {
    let nodes = root.all
    let width = (nodes.map { $0.level - root.level }.max() ?? 0) * columnStep + boxWidth + 20
    let height = nodes.count * rowStep + 10
    var rowOf: [Int] = []  // the row of each node at each level, while walking
    var lines = ""
    var boxes = ""
    for (row, node) in nodes.enumerated() {
      let level = node.level - root.level
      rowOf.removeLast(max(0, rowOf.count - level))
      let (x, y) = (10 + level * columnStep, 10 + row * rowStep)
      if let parent = rowOf.last {
        let (px, py) = (
          10 + (level - 1) * columnStep + boxWidth, 10 + parent * rowStep + boxHeight / 2
        )
        lines +=
          "<line x1=\"\(px)\" y1=\"\(py)\" x2=\"\(x)\" y2=\"\(y + boxHeight / 2)\" stroke=\"#888\"/>"
      }
      rowOf.append(row)
      let (fill, label, detail) = describe(node)
      boxes += """
        <rect x="\(x)" y="\(y)" width="\(boxWidth)" height="\(boxHeight)" rx="6" fill="\(fill)" stroke="#555"/>\
        <text x="\(x + 8)" y="\(y + 16)" font-size="12" font-weight="bold">\(HTML.escape(label))</text>\
        <text x="\(x + 8)" y="\(y + 32)" font-size="11" fill="#333">\(HTML.escape(detail))</text>
        """
    }
    return """
      <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" \
      font-family="system-ui,sans-serif">\(lines)\(boxes)</svg>
      """
  }

  /// A node's fill colour, first line (the version or raw input) and second line (its value and
  /// producer, or its state), cut to fit the box.
  private static func describe(_ node: LineageNode) -> (String, String, String) {
    let label = String((node.ref?.description ?? node.rawInput ?? "?").prefix(36))
    let detail: String
    let fill: String
    switch node.state {
    case .active: fill = "#e8f1fb"
    case .retracted: fill = "#fbe3e3"
    case .removed: fill = "#eeeeee"
    case .raw: fill = "#fff6d8"
    }
    if let v = node.version {
      let value = v.value.map { Display.text($0, limit: 16) } ?? "deleted"
      detail =
        "= \(value)" + (v.lineage.producer.map { "  \($0)" } ?? "")
        + (node.state == .retracted ? "  retracted" : "")
    } else {
      switch node.state {
      case .removed(let why): detail = why
      case .raw: detail = "raw input"
      default: detail = ""
      }
    }
    return (fill, label, String(detail.prefix(40)))
  }
}
