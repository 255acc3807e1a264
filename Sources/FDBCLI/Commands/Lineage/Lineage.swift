import ArgumentParser
import FeatureDB

/// `fdb lineage`: where a value came from (upstream) or what was derived from it (downstream).
struct LineageCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "lineage",
    abstract: "Show where a version came from, or what was derived from it.",
    discussion: """
      Upstream (the default) follows each version's lineage inputs to its parent versions, \
      recursively; raw inputs (event ids) are leaves. Downstream lists every version derived \
      from it. Parents that were pruned, vacuumed or retracted are shown as such. Each version \
      is expanded once: a repeated one is marked "(shown above)".

      Examples:
        fdb lineage user.risk u1
        fdb lineage user.spend_7d u1 --version 3 --downstream --depth 2
        fdb lineage user.risk u1 --format dot | dot -Tsvg > lineage.svg
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Feature name.")
  var feature: String

  @Argument(help: "Entity id.")
  var entity: String

  @Option(help: ArgumentHelp("The version (default: the latest).", valueName: "v"))
  var version: UInt64?

  @Flag(help: "Parent versions (the default).")
  var upstream = false

  @Flag(help: "Versions derived from it.")
  var downstream = false

  @Option(help: ArgumentHelp("Levels to follow.", valueName: "n"))
  var depth = 10

  @Option(help: ArgumentHelp("tree, json, dot or mermaid.", valueName: "format"))
  var format: LineageFormat = .tree

  func validate() throws {
    if upstream && downstream { throw ValidationError("give --upstream or --downstream, not both") }
    if depth < 1 { throw ValidationError("--depth must be at least 1, got \(depth)") }
  }

  func run() throws {
    let entity = try ValueArgument.entity(entity)
    let store = try global.openStore(.read)
    let tree =
      downstream
      ? try store.downstream(feature, entity, version: version, depth: depth)
      : try store.upstream(feature, entity, version: version, depth: depth)
    switch global.json ? .json : format {
    case .json: LineageDisplay.writeJSON(tree) { print($0, terminator: "") }
    case .tree: tree.forEachLine { print($0) }
    case .dot: print(LineageDisplay.graph(tree, upstream: !downstream).dot(), terminator: "")
    case .mermaid:
      print(LineageDisplay.graph(tree, upstream: !downstream).mermaid(), terminator: "")
    }
  }
}

/// How `fdb lineage` and `fdb graph` print.
enum LineageFormat: String, ExpressibleByArgument, CaseIterable {
  case tree, json, dot, mermaid
}

/// Lineage trees for the command line (and the HTTP server), written without recursion however
/// deep the tree.
public enum LineageDisplay {
  /// Objects nested deeper than this many indentation steps are indented as that many, so the
  /// text of a deep chain grows with its length, not with the square of it.
  static let indentLimit = 40

  /// Writes `root` as one JSON document, piece by piece: each node an object with its fields
  /// and `children`, indented by two spaces as ``JSON/pretty`` would (up to ``indentLimit``).
  public static func writeJSON(_ root: LineageNode, _ write: (String) -> Void) {
    func newline(_ steps: Int) -> String {
      "\n" + String(repeating: "  ", count: min(steps, indentLimit))
    }
    // The open nodes, root first: whether each has written a child yet.
    var open: [Bool] = []
    func close() {
      let steps = 2 * (open.count - 1)
      write((open.removeLast() ? newline(steps + 1) : "") + "]" + newline(steps) + "}")
    }
    for node in root.all {
      let level = node.level - root.level
      while open.count > level { close() }
      if let hasChild = open.last {
        write((hasChild ? "," : "") + newline(2 * level))
        open[open.count - 1] = true
      }
      var text = "{"
      for (key, value) in fields(node) {
        text += newline(2 * level + 1) + JSON.string(key).compact + ": "
        text += value.pretty(level: min(2 * level + 1, indentLimit)) + ","
      }
      write(text + newline(2 * level + 1) + "\"children\": [")
      open.append(false)
    }
    while !open.isEmpty { close() }
    write("\n")
  }

  /// A node's JSON fields but its children.
  static func fields(_ node: LineageNode) -> [(String, JSON)] {
    var fields: [(String, JSON)] = []
    if let ref = node.ref {
      fields += [
        ("feature", .string(ref.feature)), ("entity", .string(ref.entity)),
        ("version", .int(ref.version)),
      ]
    } else {
      fields.append(("raw", .string(node.rawInput ?? "")))
    }
    let state: String
    switch node.state {
    case .active: state = "active"
    case .retracted: state = "retracted"
    case .removed(let why): state = why
    case .raw: state = "raw"
    }
    fields.append(("state", .string(state)))
    if let v = node.version {
      fields += [
        ("value", .optional(v.value, Display.json)), ("eventTime", Display.json(v.eventTime)),
        ("writeTime", Display.json(v.writeTime)),
        ("retractedBy", .optional(v.retractedBy) { .int($0) }),
      ]
      fields += Display.json(v.lineage).filter { $0.0 != "inputs" }
    }
    if node.repeated { fields.append(("repeated", .bool(true))) }
    if node.truncated { fields.append(("truncated", .bool(true))) }
    return fields
  }

  /// A version-level graph of a tree, as edges parent → derived, nodes named by version (a
  /// repeated node is the same node).
  static func graph(_ root: LineageNode, upstream: Bool) -> FeatureGraph {
    func name(_ n: LineageNode) -> String {
      guard let ref = n.ref else { return "raw:\(n.rawInput ?? "")" }
      switch n.state {
      case .active: return ref.description
      case .retracted: return "\(ref) (retracted)"
      case .removed(let why): return "\(ref) (\(why))"
      case .raw: return ref.description
      }
    }
    var edges: [FeatureGraph.Edge] = []
    // The ancestors of the node being visited, root first.
    var path: [LineageNode] = []
    for n in root.all {
      path.removeLast(path.count - (n.level - root.level))
      if let p = path.last {
        let (parent, child) = upstream ? (n, p) : (p, n)
        edges.append(
          FeatureGraph.Edge(
            parent: name(parent), child: name(child), producer: child.version?.lineage.producer,
            count: 1, lastWrite: child.version?.writeTime ?? .now))
      }
      path.append(n)
    }
    return FeatureGraph(edges: edges)
  }
}
