// Fuzz target `store`: whole small stores. The input is a `data.mdb` (the seed is a compacted
// store of 15 pages: int, string, embedding with a TTL, double with max-versions 2, ten
// entities). Each run writes it to a scratch store directory and does what `fdb` does with a
// store: open it (the data-file check: empty, truncated, damaged table records), check every
// page (`checkStructure`, as fdb does before commands that write or scan), `verify`, read every
// feature for every entity with `checkPages` on, then write one value and read it back.
//
// Properties: nothing crashes (LMDB is never allowed to follow a damaged page: a signal in it
// stops the run); after a clean verify, no read fails as corrupt; a value written reads back.

import Foundation

@testable import FeatureDB

/// One scratch store directory per process, rewritten by every run.
let directory: String = {
  let path = NSTemporaryDirectory() + "fdb-fuzz-store-\(getpid())"
  mkdir(path, 0o700)
  return path
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let file = directory + "/data.mdb"
  let fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
  check(fd >= 0, "cannot write \(file)")
  var written = 0
  while written < size {
    let n = write(fd, data + written, size - written)
    check(n > 0, "cannot write \(file)")
    written += n
  }
  close(fd)
  unlink(directory + "/lock.mdb")
  exercise()
  return 0
}

/// Errors a read may give on a sound store.
func isCorruption(_ error: any Error) -> Bool {
  switch error as? FeatureDBError {
  case .corruptRecord?, .corruptStore?, .damagedStore?, .storage?: true
  default: false
  }
}

func exercise() {
  let options = StoreOptions(
    durability: .noSync, mapSize: 1 << 20, maxMapSize: 1 << 24, create: false, checkPages: true)
  guard let store = try? FeatureStore(path: directory, options: options) else { return }
  // What fdb does before a command that writes or scans the whole store.
  guard (try? store.checkStructure()) != nil else { return }
  guard let report = try? store.verify(maxProblems: 5) else { return }
  let features = (try? store.features()) ?? []
  let entities = (0..<10).map { "e\($0)" } + ["nobody"]
  for f in features.prefix(8) {
    for e in entities {
      do {
        _ = try store.latest(f.name, e)
        _ = try store.history(f.name, e, limit: 5)
      } catch {
        check(
          !report.isClean || !isCorruption(error), "after a clean verify, \(f.name) \(e): \(error)")
      }
    }
  }
  // A write, as `fdb put` would make it after the page check, and a read back.
  guard report.isClean, let f = features.first(where: { $0.type == .int }) else { return }
  do {
    try store.put(f.name, "fuzz", 42)
    let back = try store.latest(f.name, "fuzz", as: Int64.self)
    check(back == 42, "wrote 42 to \(f.name), read back \(String(describing: back))")
  } catch {
    check(!isCorruption(error), "after a clean verify, writing \(f.name): \(error)")
  }
}
