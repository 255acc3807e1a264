import Foundation

/// A read-only, bounds-checked view of an LMDB data file (`data.mdb`), read with `pread`, never
/// mapped: damage in the file becomes an error here, never a SIGBUS or SIGSEGV.
///
/// LMDB itself maps the file and trusts it: a page number past the end of a truncated file is a
/// bus error, and a damaged page header sends its B-tree search anywhere. So FeatureDB looks at
/// the file first — at open (``checkBeforeOpen(path:)``) and in verify (``PageWalker``).
///
/// Safety of `@unchecked Sendable`: `fd` and `size` never change, and `pread` is thread-safe.
///
/// The layout is liblmdb 0.9's on a 64-bit little-endian machine (mdb.c: `MDB_page`, `MDB_meta`,
/// `MDB_db`, `MDB_node`); see docs/reliability.md.
final class DataFile: @unchecked Sendable {
  /// One `MDB_db` record: the root and counts of one B-tree.
  struct Tree: Equatable, Sendable {
    var flags: UInt16
    var depth: UInt16
    var branchPages: UInt64
    var leafPages: UInt64
    var overflowPages: UInt64
    var entries: UInt64
    /// `P_INVALID` (all ones) for an empty tree.
    var root: UInt64

    static let size = 48
    var isEmpty: Bool { root == UInt64.max }

    /// Decodes 48 bytes at `offset` of `bytes` (the caller checked the bounds).
    init(_ bytes: UnsafeRawBufferPointer, at offset: Int) {
      flags = bytes.u16(offset + 4)
      depth = bytes.u16(offset + 6)
      branchPages = bytes.u64(offset + 8)
      leafPages = bytes.u64(offset + 16)
      overflowPages = bytes.u64(offset + 24)
      entries = bytes.u64(offset + 32)
      root = bytes.u64(offset + 40)
    }
  }

  /// One meta page (`MDB_meta`), of which LMDB keeps two and uses the one with the higher txnid.
  struct Meta: Sendable {
    var pageSize: Int
    var mapSize: UInt64
    var free: Tree
    var main: Tree
    var lastPage: UInt64
    var txnID: UInt64
  }

  static let magic: UInt32 = 0xBEEF_C0DE
  static let dataVersion: UInt32 = 1
  /// `PAGEHDRSZ`: page number (8), pad (2), flags (2), lower and upper (2 + 2).
  static let pageHeaderSize = 16

  let fd: Int32
  /// Bytes in the file when it was opened.
  let size: Int

  /// Opens `path` for reading; throws the `errno` of `open`/`fstat` as an ``LMDBError``.
  init(path: String) throws(LMDBError) {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { throw LMDBError(rawValue: errno) }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
      let code = errno
      close(fd)
      throw LMDBError(rawValue: code)
    }
    self.fd = fd
    self.size = Int(st.st_size)
  }

  deinit { close(fd) }

  /// Reads `count` bytes at `offset` into `buffer` (resized); false when the file is shorter.
  func read(into buffer: inout [UInt8], at offset: Int, count: Int) -> Bool {
    guard offset >= 0, count >= 0, offset <= size, count <= size - offset else { return false }
    if buffer.count != count { buffer = [UInt8](repeating: 0, count: count) }
    var done = 0
    while done < count {
      let n = buffer.withUnsafeMutableBytes { b in
        pread(fd, b.baseAddress! + done, count - done, off_t(offset + done))
      }
      if n <= 0 { return false }
      done += n
    }
    return true
  }

  /// Both meta pages, as LMDB reads them at open (`mdb_env_read_header`): page 0 at offset 0,
  /// page 1 at the page size page 0 names. A string says what is wrong when they do not decode.
  func metas() -> Result<[Meta], MetaDamage> {
    var metas: [Meta] = []
    var buffer: [UInt8] = []
    var offset = 0
    for index in 0..<2 {
      guard read(into: &buffer, at: offset, count: 152) else {
        return .failure(.tooShort(index))
      }
      let meta = buffer.withUnsafeBytes { b -> Meta? in
        guard b.u16(10) & 0x08 != 0,  // P_META
          b.u32(16) == Self.magic
        else { return nil }
        return Meta(
          pageSize: Int(b.u32(40)), mapSize: b.u64(32),
          free: Tree(b, at: 40), main: Tree(b, at: 88), lastPage: b.u64(136),
          txnID: b.u64(144))
      }
      guard let meta else { return .failure(.notLMDB(index)) }
      if buffer.withUnsafeBytes({ $0.u32(20) }) != Self.dataVersion {
        return .failure(.version(index))
      }
      let p = meta.pageSize
      guard p >= 512, p <= 65536, p & (p - 1) == 0 else {
        return .failure(.pageSize(index, p))
      }
      metas.append(meta)
      offset = metas[0].pageSize
    }
    return .success(metas)
  }

  /// Why the meta pages do not decode.
  enum MetaDamage: Error, Equatable, CustomStringConvertible {
    case tooShort(Int)
    case notLMDB(Int)
    case version(Int)
    case pageSize(Int, Int)

    var description: String {
      switch self {
      case .tooShort(let i): "data.mdb is too short to hold meta page \(i) (truncated)"
      case .notLMDB(let i): "meta page \(i) of data.mdb has no LMDB magic"
      case .version(let i): "meta page \(i) of data.mdb has an unknown LMDB data version"
      case .pageSize(let i, let p): "meta page \(i) of data.mdb names an impossible page size \(p)"
      }
    }
  }

  /// The meta LMDB uses: the one with the higher transaction id (`mdb_env_pick_meta`).
  static func current(_ metas: [Meta]) -> Meta {
    metas[1].txnID > metas[0].txnID ? metas[1] : metas[0]
  }
}

extension UnsafeRawBufferPointer {
  // Little-endian integers at `offset`, bounds-checked (a failed check is a bug in the caller,
  // which checks offsets against the page first). Not generic, so debug builds stay fast.
  @inline(__always)
  func u16(_ offset: Int) -> UInt16 {
    precondition(offset >= 0 && offset + 2 <= count)
    return UInt16(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt16.self))
  }

  @inline(__always)
  func u32(_ offset: Int) -> UInt32 {
    precondition(offset >= 0 && offset + 4 <= count)
    return UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
  }

  @inline(__always)
  func u64(_ offset: Int) -> UInt64 {
    precondition(offset >= 0 && offset + 8 <= count)
    return UInt64(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt64.self))
  }
}

/// What the check before opening found wrong with `data.mdb`.
enum DataFileDamage: Error, Equatable, CustomStringConvertible {
  /// The file has 0 bytes: LMDB would silently make a new store in its place.
  case empty
  /// The meta pages do not decode (too short, not LMDB, impossible page size).
  case meta(String)
  /// The tree of table records is damaged (LMDB would read wild pages opening a table).
  case damaged(String)
  /// Pages the store needs lie past the end of the file.
  case truncated(size: Int, needed: Int, detail: String)

  var description: String {
    switch self {
    case .empty:
      "data.mdb is empty (0 bytes): the store's data is gone or its creation never finished"
    case .meta(let detail): detail
    case .damaged(let detail): "data.mdb is damaged: \(detail)"
    case .truncated(let size, let needed, let detail):
      "data.mdb is truncated: it has \(size) bytes, the store needs \(needed) (\(detail))"
    }
  }
}

extension DataFile {
  /// Checks `path` (a `data.mdb`) before LMDB maps it: it is not empty, its meta pages decode and
  /// every page LMDB can reach from the current meta lies inside the file.
  ///
  /// Cheap when the file is as long as the meta says (two small reads). When it is shorter —
  /// normally a truncation, rarely a store whose last pages were allocated and freed again
  /// before being written — every reachable page is walked with ``PageWalker`` to tell which.
  ///
  /// The tables named in `smallTables` (read through LMDB while opening) are walked whole.
  static func checkBeforeOpen(path: String, smallTables: Set<String> = [])
    throws -> Result<Void, DataFileDamage>
  {
    // No read transaction pins the pages walked here: a writer in another process may commit
    // meanwhile and, two commits later, reuse pages of the meta being walked. Damage is reported
    // only when the current meta stayed the same through the walk.
    var attempt = 0
    while true {
      let result = try checkOnce(path: path, smallTables: smallTables)
      guard case .failure(let damage) = result.damage, damage != .empty, attempt < 20 else {
        return result.damage
      }
      guard let now = try? DataFile(path: path).metas().get(), current(now).txnID != result.txnID
      else { return result.damage }
      attempt += 1
    }
  }

  /// One check, with the transaction id of the meta it walked.
  private static func checkOnce(path: String, smallTables: Set<String>) throws -> CheckResult {
    let first = try DataFile(path: path)
    if first.size == 0 { return CheckResult(damage: .failure(.empty), txnID: 0) }
    let metas: [Meta]
    switch first.metas() {
    case .success(let m): metas = m
    case .failure(.notLMDB(0)), .failure(.tooShort(0)):
      // Not an LMDB file at all: LMDB says MDB_INVALID, "not a store".
      return CheckResult(damage: .success(()), txnID: 0)
    case .failure(let damage):
      return CheckResult(damage: .failure(.meta(damage.description)), txnID: 0)
    }
    let meta = current(metas)
    // LMDB reads meta page `txnid & 1` (mdb_txn_renew0): the newest transaction id must be on
    // that page, or LMDB would follow the other, older meta into pages since reused.
    let page = metas[1].txnID > metas[0].txnID ? 1 : 0
    if meta.txnID != 0, Int(meta.txnID & 1) != page {
      return CheckResult(
        damage: .failure(
          .meta(
            "meta page \(page) holds transaction \(meta.txnID), which LMDB reads from meta page \(1 - page)"
          )), txnID: meta.txnID)
    }
    // The size after the meta pages were read: a writer in another process writes a commit's
    // pages (growing the file) before its meta page, so every page the meta read names is in the
    // file by now. (Sizing the file first would race with such a commit.)
    let file = try DataFile(path: path)
    let size = file.size
    let (needed, overflow) = (meta.lastPage &+ 1).multipliedReportingOverflow(
      by: UInt64(meta.pageSize))
    // LMDB may leave the last pages of a commit unwritten (allocated, then freed in the same
    // transaction), but never more than one transaction's dirty pages (MDB_IDL_UM_MAX, 2^17 - 1).
    let pagesInFile = UInt64(size / meta.pageSize)
    if overflow || meta.lastPage >= pagesInFile + (1 << 17) {
      return CheckResult(
        damage: .failure(
          .meta(
            "the meta page names last page \(meta.lastPage); data.mdb has \(pagesInFile) pages (damaged meta page or truncated file)"
          )), txnID: meta.txnID)
    }
    var walker = PageWalker(file: file, meta: meta, maxProblems: 1)
    if needed <= UInt64(size), meta.lastPage >= 1 {
      // The usual case: only the main tree (the table records mdb_dbi_open reads), the small
      // tables and the free-page tree (every write reads it) are walked, and each table's
      // root checked against the last page.
      walker.walkMainOnly()
      if walker.problems.isEmpty, !smallTables.isEmpty { walker.walkAll(only: smallTables) }
      walker.walkFreeTree()
      if let first = walker.problems.first {
        return CheckResult(damage: .failure(.damaged(first.description)), txnID: meta.txnID)
      }
      return CheckResult(damage: .success(()), txnID: meta.txnID)
    }
    walker.walkAll()
    if let first = walker.problems.first {
      return CheckResult(
        damage: .failure(
          .truncated(size: size, needed: Int(clamping: needed), detail: first.description)),
        txnID: meta.txnID)
    }
    return CheckResult(damage: .success(()), txnID: meta.txnID)
  }
  private struct CheckResult {
    var damage: Result<Void, DataFileDamage>
    var txnID: UInt64
  }

}
