import Foundation

/// One node of an upstream or downstream lineage tree: a version (or a raw input) and the
/// nodes it came from (upstream) or that came from it (downstream).
///
/// A tree is stored flat, depth first, and a node is a position in it: building, comparing,
/// rendering and releasing a tree a million levels deep use no recursion.
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

  /// One node's own facts, its level below the root and where its subtree ends.
  struct Entry: Sendable, Hashable {
    var ref: VersionRef?
    var rawInput: String?
    var state: State
    var version: Version?
    var repeated = false
    var truncated = false
    /// Levels below the tree's root.
    var level: Int
    /// The position after the node's last descendant.
    var end = 0
  }

  /// The nodes of one tree, depth first; shared by every node of it.
  final class Nodes: Sendable {
    let entries: [Entry]
    init(_ entries: [Entry]) { self.entries = entries }
  }

  private let nodes: Nodes
  private let index: Int

  init(_ nodes: Nodes, _ index: Int) {
    self.nodes = nodes
    self.index = index
  }

  private var entry: Entry { nodes.entries[index] }

  /// The version (nil for a raw input).
  public var ref: VersionRef? { entry.ref }
  /// The raw input id, for `.raw` nodes.
  public var rawInput: String? { entry.rawInput }
  /// Whether the version is active, retracted, removed, or the node is a raw input.
  public var state: State { entry.state }
  /// The version's times, value and lineage when it is retained.
  public var version: Version? { entry.version }
  /// The version appears above it in the tree (a cycle or a shared parent): not expanded again.
  public var repeated: Bool { entry.repeated }
  /// The depth limit stopped here while the node has more below it.
  public var truncated: Bool { entry.truncated }

  /// Levels below the root of the tree the query returned (0 for the root).
  public var level: Int { entry.level }

  /// Parents (upstream) or derived versions (downstream).
  public var children: [LineageNode] {
    var out: [LineageNode] = []
    var i = index + 1
    while i < entry.end {
      out.append(LineageNode(nodes, i))
      i = nodes.entries[i].end
    }
    return out
  }

  /// Every node of the tree, depth first (self first).
  public var all: [LineageNode] { (index..<entry.end).map { LineageNode(nodes, $0) } }

  /// The same subtree: the same nodes in the same shape.
  public static func == (a: LineageNode, b: LineageNode) -> Bool {
    let (x, y) = (a.nodes.entries[a.index..<a.entry.end], b.nodes.entries[b.index..<b.entry.end])
    return x.count == y.count
      && zip(x, y).allSatisfy { a.relative($0) == b.relative($1) }
  }

  /// Hashes the subtree's size and its root.
  public func hash(into hasher: inout Hasher) {
    hasher.combine(entry.end - index)
    hasher.combine(relative(entry))
  }

  /// An entry of this subtree with its level and end counted from this node.
  private func relative(_ e: Entry) -> Entry {
    var e = e
    e.level -= entry.level
    e.end -= index
    return e
  }

  /// An indented tree for people: one line per node.
  public func rendered() -> String {
    var out = ""
    forEachLine { out += $0 + "\n" }
    return out
  }

  /// Calls `body` with each line of ``rendered()`` in turn (no line ending), so a large tree
  /// can be written out without holding all of its text.
  public func forEachLine(_ body: (String) throws -> Void) rethrows {
    // The ends of the open ancestors below the root, and their part of the indentation.
    var open: [Int] = []
    var prefix = ""
    for i in index..<entry.end {
      let e = nodes.entries[i]
      let level = e.level - entry.level
      guard level > 0 else {
        try body(LineageNode(nodes, i).label)
        continue
      }
      while open.count >= level {
        open.removeLast()
        prefix.removeLast(3)
      }
      let last = e.end == (open.last ?? entry.end)
      try body(prefix + (last ? "└─ " : "├─ ") + LineageNode(nodes, i).label)
      open.append(e.end)
      prefix += last ? "   " : "│  "
    }
  }

  /// The node's line: ref, state, value and lineage, with control characters and backslashes
  /// escaped (`\n`, `\u{1B}`, `\\`) so an id or a value cannot break the line or reach the
  /// terminal as a control sequence.
  public var label: String {
    guard let ref else { return DisplayText.oneLine("raw:\(rawInput ?? "")") }
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
    return DisplayText.oneLine(parts.joined(separator: " "))
  }
}
