import Foundation

/// Tells "the disk is full" apart from other I/O errors.
///
/// LMDB reports a short write at commit as `EIO`, not `ENOSPC` (mdb.c `mdb_page_flush`), so a
/// full file system looks like a hardware error. When LMDB returns `EIO` or `ENOSPC`, the file
/// system holding the store is asked (`statvfs`): `ENOSPC`, or `EIO` with less than 4 MiB or 1%
/// of it free, is "no space left on device".
enum FileSystemSpace {
  static func isFull(_ path: String, _ error: LMDBError) -> Bool {
    switch error.rawValue {
    case ENOSPC, EDQUOT: return true
    case EIO:
      var fs = statvfs()
      guard statvfs(path, &fs) == 0 else { return false }
      let free = UInt64(fs.f_bavail) * UInt64(fs.f_frsize)
      let total = UInt64(fs.f_blocks) * UInt64(fs.f_frsize)
      return free < 4 << 20 || free < total / 100
    default: return false
    }
  }
}
