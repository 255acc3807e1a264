import Foundation

/// One node of an upstream or downstream lineage tree: a version (or a raw input) and the
/// nodes it came from (upstream) or that came from it (downstream).
///
/// ```swift
/// let tree = try db.upstream("user.risk", "u1", depth: 3)
/// print(tree.rendered())   // an indented tree, one line per node
/// ```
public struct LineageNode: Sendable, Hashable {
  /// What the node's version is now.
  public enum State: Sendable, Hashable {
    /// Retained and visible.
    case active
    /// Retracted by a rollback.
    case retracted
    /// Written once, removed by max-version pruning or vacuum (the reason says which).
    case removed(String)
    /// A raw input id (an event id): a leaf.
    case raw
  }

  /// The version (nil for a raw input).
  public var ref: VersionRef?
  /// The raw input id, for `.raw` nodes.
  public var rawInput: String?
  /// Whether the version is active, retracted, removed, or the node is a raw input.
  public var state: State
  /// The version's times, value and lineage when it is retained.
  public var version: Version?
  /// Parents (upstream) or derived versions (downstream).
  public var children: [LineageNode] = []
  /// The version appears above it in the tree (a cycle or a shared parent): not expanded again.
  public var repeated = false
  /// The depth limit stopped here while the node has more below it.
  public var truncated = false

  /// Every node of the tree, depth first (self first).
  public var all: [LineageNode] { [self] + children.flatMap(\.all) }

  /// An indented tree for people: one line per node.
  public func rendered() -> String {
    var lines: [String] = []
    render(into: &lines, indent: "", last: true, root: true)
    return lines.joined(separator: "\n") + "\n"
  }

  private func render(into lines: inout [String], indent: String, last: Bool, root: Bool) {
    let branch = root ? "" : (last ? "└─ " : "├─ ")
    lines.append(indent + branch + label)
    let next = root ? "" : indent + (last ? "   " : "│  ")
    for (i, c) in children.enumerated() {
      c.render(into: &lines, indent: next, last: i == children.count - 1, root: false)
    }
  }

  /// The node's line: ref, state, value and lineage.
  public var label: String {
    guard let ref else { return "raw:\(rawInput ?? "")" }
    var parts = [ref.description]
    switch state {
    case .active: break
    case .retracted: parts.append("[retracted\(version?.retractedBy.map { " by op \($0)" } ?? "")]")
    case .removed(let why): parts.append("[\(why)]")
    case .raw: break
    }
    if let v = version {
      parts.append(v.value.map { "= \($0)" } ?? "= (deleted)")
      if let p = v.lineage.producer { parts.append("producer \(p)") }
      if let r = v.lineage.run { parts.append("run \(r)") }
      parts.append("written \(v.writeTime)")
    }
    if repeated { parts.append("(shown above)") }
    if truncated { parts.append("…") }
    return parts.joined(separator: " ")
  }
}

/// The feature-level lineage graph: which features are derived from which, by which code.
public struct FeatureGraph: Sendable, Hashable {
  /// Versions of `child` derived from versions of `parent` by `producer`.
  public struct Edge: Sendable, Hashable {
    /// The feature the versions were derived from.
    public var parent: String
    /// The feature derived from `parent`.
    public var child: String
    /// `name@version` of the code (nil when the versions named none).
    public var producer: String?
    /// How many parent → child version links were written.
    public var count: Int
    /// Write time of the most recent link.
    public var lastWrite: Timestamp

    /// Creates an edge.
    public init(parent: String, child: String, producer: String?, count: Int, lastWrite: Timestamp)
    {
      (self.parent, self.child, self.producer) = (parent, child, producer)
      (self.count, self.lastWrite) = (count, lastWrite)
    }
  }

  /// The parent → child feature links, one per (parent, child, producer).
  public var edges: [Edge]

  /// Creates a graph from its edges.
  public init(edges: [Edge]) { self.edges = edges }

  /// Graphviz DOT (`dot -Tsvg`).
  public func dot() -> String {
    var out = "digraph features {\n  rankdir=LR;\n  node [shape=box];\n"
    for e in edges {
      out +=
        "  \"\(escape(e.parent))\" -> \"\(escape(e.child))\" [label=\"\(escape(label(e)))\"];\n"
    }
    return out + "}\n"
  }

  /// Mermaid (`flowchart LR`), which GitHub and many editors render.
  public func mermaid() -> String {
    var ids: [String: String] = [:]
    func id(_ name: String) -> String {
      if let id = ids[name] { return id }
      let id = "f\(ids.count)"
      ids[name] = id
      return id
    }
    var out = "flowchart LR\n"
    for e in edges {
      let label = label(e)
      let arrow = label.isEmpty ? "-->" : "-->|\"\(mermaidText(label))\"|"
      out +=
        "  \(id(e.parent))[\"\(mermaidText(e.parent))\"] \(arrow) \(id(e.child))[\"\(mermaidText(e.child))\"]\n"
    }
    return out
  }

  /// An edge's label: its producer, and how many links when more than one.
  private func label(_ e: Edge) -> String {
    let count = e.count > 1 ? "×\(e.count)" : nil
    return [e.producer, count].compactMap { $0 }.joined(separator: " ")
  }

  private func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
  }

  private func mermaidText(_ s: String) -> String {
    s.replacingOccurrences(of: "\"", with: "#quot;")
  }
}
