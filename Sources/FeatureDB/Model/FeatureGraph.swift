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
        "  \"\(LineageText.dot(e.parent))\" -> \"\(LineageText.dot(e.child))\" [label=\"\(LineageText.dot(label(e)))\"];\n"
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
      let arrow = label.isEmpty ? "-->" : "-->|\"\(LineageText.mermaid(label))\"|"
      out +=
        "  \(id(e.parent))[\"\(LineageText.mermaid(e.parent))\"] \(arrow) \(id(e.child))[\"\(LineageText.mermaid(e.child))\"]\n"
    }
    return out
  }

  /// An edge's label: its producer, and how many links when more than one.
  private func label(_ e: Edge) -> String {
    let count = e.count > 1 ? "×\(e.count)" : nil
    return [e.producer, count].compactMap { $0 }.joined(separator: " ")
  }

}
