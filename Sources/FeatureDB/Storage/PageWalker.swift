/// A bounds-checked walk of the B-trees in an LMDB data file, read with `pread` through
/// ``DataFile``, so no damaged page can crash it.
///
/// From a meta page it walks the free-page tree and the main tree, and from the main tree every
/// named table's tree (FeatureDB's tables), checking on every page:
/// - the page number is inside the file and at most the meta's last page, and is used once;
/// - the header names that page number and the type its place in the tree needs (branch above,
///   leaf at the tree's depth, overflow for big values);
/// - `lower`/`upper` and every node lie inside the page, and nodes do not overflow it;
/// - keys are in order, inside the range the parent page gives them;
/// - the counts of branch, leaf and overflow pages and of entries match the tree's record;
/// - a free-list entry names pages that exist and that no tree uses.
///
/// LMDB's own checks are far fewer (it trusts its file), so verify runs this before it lets LMDB
/// read anything, and the open check (``DataFile/checkBeforeOpen(path:)``) runs it when the file
/// is shorter than the meta says.
struct PageWalker: ~Copyable {
  /// One structural problem: which tree, which page, what.
  struct Problem: Hashable, Sendable, CustomStringConvertible {
    var tree: String
    var page: UInt64?
    var message: String
    var description: String {
      "\(tree == "" ? "" : "table '\(tree)': ")\(page.map { "page \($0): " } ?? "")\(message)"
    }
  }

  // Page flags (mdb.c).
  static let branch: UInt16 = 0x01
  static let leaf: UInt16 = 0x02
  static let overflow: UInt16 = 0x04
  // Node flags.
  static let bigData: UInt16 = 0x01
  static let subData: UInt16 = 0x02
  static let dupData: UInt16 = 0x04
  static let nodeHeaderSize = 8

  let file: DataFile
  let meta: DataFile.Meta
  let maxProblems: Int
  private(set) var problems: [Problem] = []
  private(set) var problemCount = 0
  /// Pages seen, as a bitmap over 0...lastPage (limited to the pages the file holds).
  private var seen: [UInt64]
  private let pagesInFile: UInt64
  /// Pages walked.
  private(set) var pagesVisited = 0
  /// Named tables found in the main tree, with their records.
  private(set) var tables: [(name: String, tree: DataFile.Tree)] = []
  private var buffer: [UInt8] = []

  init(file: DataFile, meta: DataFile.Meta, maxProblems: Int = 100) {
    self.file = file
    self.meta = meta
    self.maxProblems = maxProblems
    pagesInFile = UInt64(file.size / meta.pageSize)
    let limit = min(meta.lastPage &+ 1, pagesInFile)
    seen = [UInt64](repeating: 0, count: Int((limit + 63) / 64))
  }

  private var pageSize: Int { meta.pageSize }

  mutating func report(_ tree: String, _ page: UInt64?, _ message: String) {
    problemCount += 1
    if problems.count < maxProblems {
      problems.append(Problem(tree: tree, page: page, message: message))
    }
  }

  var isFull: Bool { problemCount >= maxProblems }

  /// Walks the main tree and every named table in it (or those in `only`), then the free-page
  /// tree (only when every table was walked: it checks free pages against all of them).
  mutating func walkAll(only: Set<String>? = nil) {
    if tables.isEmpty {
      guard checkMetaFlags() else { return }
      walk(name: "", tree: meta.main, keyOrder: .bytes) { walker, node, data in
        walker.addNamedTable(node, data)
      }
    }
    for (name, tree) in tables where !isFull && only?.contains(name) ?? true {
      walk(name: name, tree: tree, keyOrder: .bytes, leafNode: nil)
    }
    if !isFull, only == nil { walkFreeList() }
  }

  /// Walks the free-page tree alone (every write reads it to allocate pages). Its check that no
  /// table uses a listed page covers the tables walked before.
  mutating func walkFreeTree() {
    if !isFull { walkFreeList() }
  }

  /// Walks only the main tree (one or two pages): the table records LMDB reads at
  /// `mdb_dbi_open`, each root checked against the last page.
  mutating func walkMainOnly() {
    guard checkMetaFlags() else { return }
    walk(name: "", tree: meta.main, keyOrder: .bytes) { walker, node, data in
      walker.addNamedTable(node, data)
    }
    for (name, tree) in tables where !tree.isEmpty && !pageExists(tree.root) {
      report(name, tree.root, "the table's root page is beyond the end of the file")
    }
  }

  /// The meta page's trees have LMDB's fixed flags: the free-page tree `MDB_INTEGERKEY` (0x08),
  /// the main tree none. Other flags (a flipped bit) make LMDB assert when it writes.
  private mutating func checkMetaFlags() -> Bool {
    if meta.free.flags != 0x08 {
      report(
        "free pages", nil,
        "the meta page gives the free-page tree flags 0x\(String(meta.free.flags, radix: 16)), not 0x8"
      )
      return false
    }
    if meta.main.flags != 0 {
      report(
        "", nil,
        "the meta page gives the main tree flags 0x\(String(meta.main.flags, radix: 16)), not 0")
      return false
    }
    return true
  }

  private mutating func addNamedTable(_ node: Node, _ data: ArraySlice<UInt8>) {
    guard node.flags & Self.subData != 0 else { return }
    guard data.count == DataFile.Tree.size else {
      report("", node.page, "table record '\(node.keyString)' has \(data.count) bytes, not 48")
      return
    }
    let tree = Array(data).withUnsafeBytes { DataFile.Tree($0, at: 0) }
    // Only plain tables (no duplicate or integer keys): a flipped MDB_DUPSORT bit makes LMDB
    // assert (and abort) when it next writes the table.
    guard tree.flags == 0 else {
      report(
        node.keyString, node.page,
        "the table record has flags 0x\(String(tree.flags, radix: 16)); only plain tables (0) are supported"
      )
      return
    }
    tables.append((node.keyString, tree))
  }

  enum KeyOrder { case bytes, integer }

  /// A node of a branch or leaf page, copied out of the page.
  struct Node {
    var page: UInt64
    var flags: UInt16
    var key: ArraySlice<UInt8>
    /// Branch: the child page; leaf: the data size.
    var number: UInt64
    /// Leaf: the inline data, or the first overflow page number (8 bytes) of a big value. The
    /// slices keep their page's bytes even after the walker reads another page.
    var data: ArraySlice<UInt8> = []
    var keyString: String { String(decoding: key, as: UTF8.self) }
  }

  private struct Counts {
    var branch: UInt64 = 0
    var leaf: UInt64 = 0
    var overflow: UInt64 = 0
    var entries: UInt64 = 0
  }

  /// True when page `n` is inside the file and at most the last page.
  func pageExists(_ n: UInt64) -> Bool { n <= meta.lastPage && n < pagesInFile }

  /// Marks page `n` seen; false (and a problem) when it was already, or does not exist.
  private mutating func claim(_ tree: String, _ n: UInt64, from: UInt64?) -> Bool {
    guard n <= meta.lastPage else {
      report(
        tree, from,
        "refers to page \(n), beyond the last page \(meta.lastPage) (damaged page number)")
      return false
    }
    guard n < pagesInFile else {
      report(
        tree, from,
        "refers to page \(n), beyond the end of the file (\(file.size) bytes: truncated)")
      return false
    }
    let (word, bit) = (Int(n / 64), n % 64)
    if seen[word] & (1 << bit) != 0 {
      report(tree, n, "the page is used twice (a cycle or a damaged page number)")
      return false
    }
    seen[word] |= 1 << bit
    pagesVisited += 1
    return true
  }

  /// Reads page `n` into `buffer`.
  private mutating func load(_ n: UInt64) -> Bool {
    file.read(into: &buffer, at: Int(n) * pageSize, count: pageSize)
  }

  /// Walks one tree; `leafNode` sees every leaf node with its data (inline data only).
  mutating func walk(
    name: String, tree: DataFile.Tree, keyOrder: KeyOrder,
    leafNode: ((inout PageWalker, Node, ArraySlice<UInt8>) -> Void)?
  ) {
    guard !tree.isEmpty else {
      if tree.entries != 0 || tree.depth != 0 {
        report(name, nil, "an empty tree with \(tree.entries) entries, depth \(tree.depth)")
      }
      return
    }
    guard tree.depth >= 1, tree.depth <= 32 else {
      report(name, nil, "impossible tree depth \(tree.depth)")
      return
    }
    var counts = Counts()
    walkPage(
      name, tree.root, from: nil, level: 1, depth: Int(tree.depth), low: nil, high: nil,
      keyOrder: keyOrder, counts: &counts, leafNode: leafNode)
    if isFull { return }
    let expected = (tree.branchPages, tree.leafPages, tree.overflowPages, tree.entries)
    let found = (counts.branch, counts.leaf, counts.overflow, counts.entries)
    if expected != found {
      report(
        name, nil,
        "the table record counts \(expected.0) branch, \(expected.1) leaf, \(expected.2) overflow pages and \(expected.3) entries; the pages hold \(found.0), \(found.1), \(found.2) and \(found.3)"
      )
    }
  }

  private mutating func walkPage(
    _ name: String, _ n: UInt64, from: UInt64?, level: Int, depth: Int,
    low: ArraySlice<UInt8>?, high: ArraySlice<UInt8>?, keyOrder: KeyOrder,
    counts: inout Counts, leafNode: ((inout PageWalker, Node, ArraySlice<UInt8>) -> Void)?
  ) {
    guard !isFull, claim(name, n, from: from) else { return }
    guard load(n) else {
      report(name, n, "cannot be read (the file ends inside it)")
      return
    }
    let isLeaf = level == depth
    guard let nodes = parseNodes(name, n, isLeaf: isLeaf) else { return }
    if isLeaf { counts.leaf += 1 } else { counts.branch += 1 }
    // Keys in order and inside the parent's range; a branch's first key is not stored.
    var previous: ArraySlice<UInt8>? = nil
    for (i, node) in nodes.enumerated() where isLeaf || i > 0 {
      if let p = previous, !less(p, node.key, keyOrder) {
        report(name, n, "key \(i) is not above key \(i - 1) (keys out of order)")
        return
      }
      if let low, less(node.key, low, keyOrder) {
        report(name, n, "key \(i) sorts before the range its parent page gives this page")
        return
      }
      if let high, !less(node.key, high, keyOrder) {
        report(name, n, "key \(i) sorts after the range its parent page gives this page")
        return
      }
      previous = node.key
    }
    if isLeaf {
      for node in nodes {
        counts.entries += 1
        if node.flags & Self.dupData != 0 {
          report(name, n, "a node with duplicate data, which no FeatureDB table uses")
          continue
        }
        if node.flags & Self.bigData != 0 {
          walkOverflow(name, n, node, counts: &counts)
        } else {
          leafNode?(&self, node, node.data)
        }
        if isFull { return }
      }
      return
    }
    for (i, node) in nodes.enumerated() {
      let childLow = i == 0 ? low : node.key
      let childHigh = i + 1 < nodes.count ? nodes[i + 1].key : high
      walkPage(
        name, node.number, from: n, level: level + 1, depth: depth, low: childLow,
        high: childHigh, keyOrder: keyOrder, counts: &counts, leafNode: leafNode)
      if isFull { return }
    }
  }

  /// The nodes of the page in `buffer`, every offset and size checked (``PageNode/parse``);
  /// nil after a problem.
  private mutating func parseNodes(_ name: String, _ n: UInt64, isLeaf: Bool) -> [Node]? {
    switch buffer.withUnsafeBytes({
      PageNode.parse($0, number: n, isLeaf: isLeaf, freeTree: name == "free pages")
    }) {
    case .failure(let failure):
      report(name, n, failure.message)
      return nil
    case .success(let nodes):
      return nodes.map {
        Node(
          page: n, flags: $0.flags, key: buffer[$0.keyStart..<($0.keyStart + $0.keyCount)],
          number: $0.number, data: buffer[($0.keyStart + $0.keyCount)..<$0.end])
      }
    }
  }

  /// The overflow pages of a big value: the first names how many pages the run spans. A run may
  /// be longer than its value needs: LMDB rewrites a big value in place when the old run is long
  /// enough and keeps the run's length (`mdb_cursor_put`), so only a shorter run is damage.
  private mutating func walkOverflow(
    _ name: String, _ n: UInt64, _ node: Node, counts: inout Counts
  ) {
    let first = Array(node.data).withUnsafeBytes { $0.u64(0) }
    let needed = (UInt64(DataFile.pageHeaderSize - 1) + node.number) / UInt64(pageSize) + 1
    guard claim(name, first, from: n) else { return }
    guard load(first) else {
      report(name, first, "cannot be read (the file ends inside it)")
      return
    }
    let (pgno, flags, pages) = buffer.withUnsafeBytes {
      ($0.u64(0), $0.u16(10), UInt64($0.u32(12)))
    }
    guard pgno == first, flags == Self.overflow, pages >= needed else {
      report(
        name, first,
        "not the overflow page a \(node.number)-byte value needs (header: page \(pgno), flags 0x\(String(flags, radix: 16)), \(pages) pages; expected at least \(needed))"
      )
      return
    }
    counts.overflow += pages
    for p in (first + 1)..<(first + pages) {
      guard claim(name, p, from: first) else { return }
    }
  }

  /// The free-page tree: keys are transaction ids (native integers), data lists page numbers.
  private mutating func walkFreeList() {
    var freed: [UInt64] = []
    walk(name: "free pages", tree: meta.free, keyOrder: .integer) { walker, node, data in
      guard node.key.count == 8, data.count >= 8, data.count % 8 == 0 else {
        walker.report("free pages", node.page, "an entry of \(data.count) bytes is not a page list")
        return
      }
      let list = Array(data)
      list.withUnsafeBytes { b in
        let count = b.u64(0)
        guard count == UInt64(b.count / 8 - 1) else {
          walker.report(
            "free pages", node.page, "a page list claims \(count) pages, holds \(b.count / 8 - 1)")
          return
        }
        for i in 1..<(b.count / 8) { freed.append(b.u64(8 * i)) }
      }
    }
    for page in freed {
      if page > meta.lastPage {
        report("free pages", nil, "lists page \(page), beyond the last page \(meta.lastPage)")
      } else if page < 2 {
        report("free pages", nil, "lists meta page \(page)")
      } else if page < pagesInFile, seen[Int(page / 64)] & (1 << (page % 64)) != 0 {
        report("free pages", nil, "lists page \(page), which a table still uses")
      }
      if isFull { return }
    }
  }

  private func less(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>, _ order: KeyOrder) -> Bool {
    switch order {
    case .bytes:
      return a.withUnsafeBytes { x in b.withUnsafeBytes { y in keyLess(x, y) } }
    case .integer:
      // Free-page keys are 8-byte native (little-endian) transaction ids.
      guard a.count == 8, b.count == 8 else { return a.count < b.count }
      let x = Array(a).withUnsafeBytes { $0.u64(0) }
      let y = Array(b).withUnsafeBytes { $0.u64(0) }
      return x < y
    }
  }
}
