import CLMDB

/// An error code returned by LMDB: one of its own `MDB_*` codes (negative) or an `errno` value.
///
/// Match a code with `catch LMDBError.mapFull` or compare `error.code`.
/// The description is LMDB's own text from `mdb_strerror`.
public struct LMDBError: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  /// The raw code as LMDB returned it.
  public let rawValue: Int32

  /// Wraps a raw LMDB return code (an `MDB_*` constant or an `errno` value).
  public init(rawValue: Int32) { self.rawValue = rawValue }

  /// LMDB's text for the code (`mdb_strerror`).
  public var description: String { String(cString: mdb_strerror(rawValue)) }

  /// `MDB_KEYEXIST`: the key/data pair already exists.
  public static let keyExists = LMDBError(rawValue: MDB_KEYEXIST)
  /// `MDB_NOTFOUND`: no matching key/data pair.
  public static let notFound = LMDBError(rawValue: MDB_NOTFOUND)
  /// `MDB_PAGE_NOTFOUND`: a requested page was not found, usually corruption.
  public static let pageNotFound = LMDBError(rawValue: MDB_PAGE_NOTFOUND)
  /// `MDB_CORRUPTED`: a located page was the wrong type.
  public static let corrupted = LMDBError(rawValue: MDB_CORRUPTED)
  /// `MDB_PANIC`: a fatal error happened earlier; the environment must be closed.
  public static let panic = LMDBError(rawValue: MDB_PANIC)
  /// `MDB_VERSION_MISMATCH`: the environment was written by an incompatible LMDB version.
  public static let versionMismatch = LMDBError(rawValue: MDB_VERSION_MISMATCH)
  /// `MDB_INVALID`: the file is not an LMDB data file.
  public static let invalid = LMDBError(rawValue: MDB_INVALID)
  /// `MDB_MAP_FULL`: the environment's map size is reached.
  public static let mapFull = LMDBError(rawValue: MDB_MAP_FULL)
  /// `MDB_DBS_FULL`: the maximum number of named tables is reached.
  public static let dbsFull = LMDBError(rawValue: MDB_DBS_FULL)
  /// `MDB_READERS_FULL`: every reader slot is taken.
  public static let readersFull = LMDBError(rawValue: MDB_READERS_FULL)
  /// `MDB_TLS_FULL`: too many TLS keys in use.
  public static let tlsFull = LMDBError(rawValue: MDB_TLS_FULL)
  /// `MDB_TXN_FULL`: the transaction has too many dirty pages.
  public static let txnFull = LMDBError(rawValue: MDB_TXN_FULL)
  /// `MDB_CURSOR_FULL`: the cursor stack is too deep (internal error).
  public static let cursorFull = LMDBError(rawValue: MDB_CURSOR_FULL)
  /// `MDB_PAGE_FULL`: a page has no more space (internal error).
  public static let pageFull = LMDBError(rawValue: MDB_PAGE_FULL)
  /// `MDB_MAP_RESIZED`: another process grew the map beyond this one's size.
  public static let mapResized = LMDBError(rawValue: MDB_MAP_RESIZED)
  /// `MDB_INCOMPATIBLE`: the operation does not fit the table's flags.
  public static let incompatible = LMDBError(rawValue: MDB_INCOMPATIBLE)
  /// `MDB_BAD_RSLOT`: a reader slot was reused wrongly.
  public static let badReaderSlot = LMDBError(rawValue: MDB_BAD_RSLOT)
  /// `MDB_BAD_TXN`: the transaction must abort (it failed earlier or has a child).
  public static let badTransaction = LMDBError(rawValue: MDB_BAD_TXN)
  /// `MDB_BAD_VALSIZE`: a key or value has an unsupported size (zero-length or too long key).
  public static let badValueSize = LMDBError(rawValue: MDB_BAD_VALSIZE)
  /// `MDB_BAD_DBI`: the table handle was changed unexpectedly.
  public static let badTable = LMDBError(rawValue: MDB_BAD_DBI)

  /// Matches an error against a code, so `catch LMDBError.mapFull` works; false for other
  /// error types.
  public static func ~= (pattern: LMDBError, value: any Error) -> Bool {
    (value as? LMDBError)?.rawValue == pattern.rawValue
  }
}

/// Turns an LMDB return code into `LMDBError` (0 is success).
@inline(__always)
func check(_ code: Int32) throws(LMDBError) {
  if code != 0 { throw LMDBError(rawValue: code) }
}
