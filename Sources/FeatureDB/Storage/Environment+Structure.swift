import CLMDB

/// What ``Environment/checkStructure(_:maxProblems:)`` found.
struct StructureReport: Sendable {
  var problems: [PageWalker.Problem]
  var problemCount: Int
  var pagesVisited: Int
}

extension Environment {
  /// Walks every B-tree page of the snapshot `txn` reads with ``PageWalker`` (the file read with
  /// `pread`, never through LMDB's map), so a damaged page is reported, not followed.
  ///
  /// The walk starts from the meta page whose transaction id is `txn`'s. The pages reachable from
  /// it stay unchanged while `txn` is live; the meta page itself is overwritten after two more
  /// commits, and then this returns nil (the caller retries with a newer snapshot).
  func checkStructure(
    _ txn: borrowing some Transaction & ~Copyable, maxProblems: Int, only: Set<String>? = nil
  ) throws -> StructureReport? {
    let file: DataFile
    do {
      file = try DataFile(path: path + "/data.mdb")
    } catch {
      return StructureReport(
        problems: [
          PageWalker.Problem(tree: "", page: nil, message: "cannot read data.mdb: \(error)")
        ],
        problemCount: 1, pagesVisited: 0)
    }
    let id = txn.id
    let metas: [DataFile.Meta]
    switch file.metas() {
    case .success(let m): metas = m
    case .failure(let damage):
      return StructureReport(
        problems: [PageWalker.Problem(tree: "", page: nil, message: damage.description)],
        problemCount: 1, pagesVisited: 0)
    }
    guard let meta = metas.first(where: { $0.txnID == id }) else { return nil }
    var walker = PageWalker(file: file, meta: meta, maxProblems: maxProblems)
    walker.walkAll(only: only)
    return StructureReport(
      problems: walker.problems, problemCount: walker.problemCount,
      pagesVisited: walker.pagesVisited)
  }
}
