import CLMDB
import Foundation

/// A second, bounds-checked search for one key, run when LMDB answered "not found" in a read
/// snapshot: LMDB trusts its pages, so a damaged page header (a wrong key count, a wrong type)
/// can make it miss a key that is there. The probe walks the same path from the snapshot's root,
/// reading pages with `pread` (never through LMDB's map), checking each page as ``PageWalker`` does; it tells a real absence from
/// damage, so a read says "corrupt", never a wrong "no value".
///
/// Cost: one root-to-leaf path (3–4 `pread`s of a page), on misses (and on every read with
/// ``StoreOptions/checkPages``); the table roots of a snapshot are read once per transaction id.
enum ProbeResult: Equatable {
  /// The key is not in the tree, and every page on its path is sound.
  case absent
  /// The key is in the tree: LMDB's search was misled.
  case present(page: UInt64)
  /// A page on the path is damaged.
  case damaged(page: UInt64?, message: String)
}

/// The table roots of one snapshot, read from its meta page and the main tree, and the file.
struct SnapshotRoots: Sendable {
  var txnID: UInt64
  var meta: DataFile.Meta
  var file: DataFile
  var tables: [String: DataFile.Tree]
}

extension Environment {
  /// Searches `table` for `key` in the snapshot `txn` reads (see ``ProbeResult``); nil when the
  /// snapshot's meta page has already been overwritten (then nothing can be said).
  func probe(
    _ table: String, key: UnsafeRawBufferPointer, _ txn: borrowing some Transaction & ~Copyable
  ) -> ProbeResult? {
    let id = txn.id
    guard let roots = snapshotRoots(id) else { return nil }
    guard let tree = roots.tables[table] else {
      return .damaged(page: nil, message: "table '\(table)' is missing from the main tree")
    }
    if tree.isEmpty { return .absent }
    return TreeProbe(file: roots.file, meta: roots.meta).find(key, in: tree)
  }

  /// The roots of snapshot `id`, cached for the last id asked about.
  private func snapshotRoots(_ id: UInt64) -> SnapshotRoots? {
    if let cached = probeCache.withLock({ $0 }), cached.txnID == id { return cached }
    guard let file = try? DataFile(path: path + "/data.mdb"),
      let meta = try? file.metas().get().first(where: { $0.txnID == id })
    else { return nil }
    var walker = PageWalker(file: file, meta: meta, maxProblems: 1)
    walker.walkMainOnly()
    guard walker.problemCount == 0 else { return nil }
    var tables: [String: DataFile.Tree] = [:]
    for (name, tree) in walker.tables { tables[name] = tree }
    let roots = SnapshotRoots(txnID: id, meta: meta, file: file, tables: tables)
    probeCache.withLock { $0 = roots }
    return roots
  }
}

/// The search itself, over pages read with `pread`. Every offset is checked against the page
/// before it is read.
struct TreeProbe {
  let file: DataFile
  let meta: DataFile.Meta

  func find(_ key: UnsafeRawBufferPointer, in tree: DataFile.Tree) -> ProbeResult {
    let pageSize = meta.pageSize
    var n = tree.root
    var low: [UInt8]? = nil
    var high: [UInt8]? = nil
    var page: [UInt8] = []
    guard tree.depth >= 1, tree.depth <= 32 else {
      return .damaged(page: nil, message: "impossible tree depth \(tree.depth)")
    }
    for level in 1...Int(tree.depth) {
      guard n <= meta.lastPage, n < UInt64(file.size / pageSize),
        file.read(into: &page, at: Int(n) * pageSize, count: pageSize)
      else {
        return .damaged(page: n, message: "page number beyond the end of the file")
      }
      let isLeaf = level == Int(tree.depth)
      let step = page.withUnsafeBytes { page -> Step in
        let nodes: [PageNode]
        switch PageNode.parse(page, number: n, isLeaf: isLeaf) {
        case .success(let parsed): nodes = parsed
        case .failure(let failure): return .done(.damaged(page: n, message: failure.message))
        }
        // A branch page routes the search: its keys must be in order and inside the range its
        // parent gives it. A leaf is scanned whole for the key, so its order does not matter.
        for i in nodes.indices where !isLeaf && i > 0 {
          let k = nodes[i].key(page)
          if i > 1, !keyLess(nodes[i - 1].key(page), k) {
            return .done(.damaged(page: n, message: "keys out of order"))
          }
          if let low, low.withUnsafeBytes({ keyLess(k, $0) }) {
            return .done(.damaged(page: n, message: "a key below the range its parent gives"))
          }
          if let high, !high.withUnsafeBytes({ keyLess(k, $0) }) {
            return .done(.damaged(page: n, message: "a key above the range its parent gives"))
          }
        }
        if isLeaf {
          for node in nodes where keyCompare(node.key(page), key) == 0 {
            return .done(.present(page: n))
          }
          return .done(.absent)
        }
        // The child whose range holds the key: the last node whose key is ≤ key (node 0: −∞).
        var child = 0
        for i in 1..<nodes.count where !keyLess(key, nodes[i].key(page)) {
          child = i
        }
        return .descend(
          child: nodes[child].number,
          low: child == 0 ? nil : Array(nodes[child].key(page)),
          high: child + 1 < nodes.count ? Array(nodes[child + 1].key(page)) : nil)
      }
      switch step {
      case .done(let result): return result
      case .descend(let child, let newLow, let newHigh):
        low = newLow ?? low
        high = newHigh ?? high
        n = child
      }
    }
    return .absent
  }

  private enum Step {
    case done(ProbeResult)
    case descend(child: UInt64, low: [UInt8]?, high: [UInt8]?)
  }
}

/// One node of a branch or leaf page: where its key is, and its number (branch: the child page;
/// leaf: the data size). Parsing checks everything ``PageWalker`` checks on one page.
struct PageNode {
  var keyStart: Int
  var keyCount: Int
  var flags: UInt16
  var number: UInt64
  /// Where the node ends (its data follows the key).
  var end: Int

  func key(_ page: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: page[keyStart..<(keyStart + keyCount)])
  }

  /// The nodes of `page` (number `n`, a leaf or a branch), or what is wrong with it.
  ///
  /// A branch page holds at least two nodes, except in the free-page tree (`freeTree`): LMDB
  /// asserts it (and aborts the process) when it searches any other tree.
  static func parse(
    _ page: UnsafeRawBufferPointer, number n: UInt64, isLeaf: Bool, freeTree: Bool = false
  ) -> Result<[PageNode], ParseFailure> {
    let pageSize = page.count
    let h = DataFile.pageHeaderSize
    let pgno = page.u64(0)
    let flags = page.u16(10)
    let lower = Int(page.u16(12))
    let upper = Int(page.u16(14))
    let wanted = isLeaf ? PageWalker.leaf : PageWalker.branch
    guard pgno == n else { return .failure("the page header names page \(pgno)") }
    // On disk a page has exactly its type bit: LMDB clears P_DIRTY and P_KEEP before writing.
    // A stray P_DIRTY would make a writer modify the page in place, through the read-only map.
    guard flags == wanted else {
      return .failure(
        "page flags 0x\(String(flags, radix: 16)): expected a \(isLeaf ? "leaf" : "branch") page")
    }
    guard lower >= h, lower <= upper, upper <= pageSize, (lower - h) % 2 == 0 else {
      return .failure("impossible free-space bounds lower \(lower), upper \(upper)")
    }
    let count = (lower - h) / 2
    guard count >= 1 else { return .failure("an empty \(isLeaf ? "leaf" : "branch") page") }
    guard isLeaf || freeTree || count >= 2 else { return .failure("a branch page with one node") }
    var nodes: [PageNode] = []
    nodes.reserveCapacity(count)
    var used = 0
    for i in 0..<count {
      let offset = Int(page.u16(h + 2 * i))
      guard offset >= upper, offset + PageWalker.nodeHeaderSize <= pageSize else {
        return .failure("node \(i) at offset \(offset) is outside the page's node area")
      }
      let lo = UInt64(page.u16(offset))
      let hi = UInt64(page.u16(offset + 2))
      let nodeFlags = page.u16(offset + 4)
      let keySize = Int(page.u16(offset + 6))
      let keyStart = offset + PageWalker.nodeHeaderSize
      var end = keyStart + keySize
      let number: UInt64
      if isLeaf {
        number = lo | hi << 16
        end += nodeFlags & PageWalker.bigData != 0 ? 8 : Int(number)
      } else {
        number = lo | hi << 16 | UInt64(nodeFlags) << 32
      }
      guard end <= pageSize else {
        return .failure("node \(i) (\(end - offset) bytes at offset \(offset)) overflows the page")
      }
      used += (end - offset + 1) & ~1  // nodes are stored at even sizes
      nodes.append(
        PageNode(
          keyStart: keyStart, keyCount: keySize, flags: isLeaf ? nodeFlags : 0, number: number,
          end: end))
    }
    // LMDB keeps the node area packed: it holds exactly the nodes the pointers name. A wrong
    // `lower` (a lost or invented pointer) shows here.
    guard used == pageSize - upper else {
      return .failure(
        "its \(count) nodes take \(used) bytes, but the page's node area holds \(pageSize - upper)")
    }
    return .success(nodes)
  }

  struct ParseFailure: Error, ExpressibleByStringLiteral, ExpressibleByStringInterpolation {
    var message: String
    init(stringLiteral value: String) { message = value }
    init(stringInterpolation: DefaultStringInterpolation) {
      message = String(stringInterpolation: stringInterpolation)
    }
  }
}

/// LMDB's default key order (`mdb_cmp_memn`): bytewise over the common length, then the shorter
/// first. With `memcmp`, so it is fast in debug builds too.
@inline(__always)
func keyCompare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
  let n = min(a.count, b.count)
  if n > 0, let pa = a.baseAddress, let pb = b.baseAddress {
    let c = memcmp(pa, pb, n)
    if c != 0 { return Int(c) }
  }
  return a.count - b.count
}

@inline(__always)
func keyLess(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
  keyCompare(a, b) < 0
}
