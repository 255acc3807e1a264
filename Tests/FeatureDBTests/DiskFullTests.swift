import Foundation
import Testing

@testable import FeatureDB

/// A full file system (issue 13, item 4): a small tmpfs, mounted when the tests run as root
/// (skipped otherwise). Writes say "no space left on device" and leave the store intact.
@Suite(.serialized) struct DiskFullTests {
  static let canMount: Bool = {
    guard getuid() == 0 else { return false }
    let probe = NSTemporaryDirectory() + "fdb-mount-probe-\(getpid())"
    mkdir(probe, 0o700)
    defer { rmdir(probe) }
    guard (try? run("/bin/mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]))?.0 == 0 else {
      return false
    }
    _ = try? run("/bin/umount", [probe])
    return true
  }()

  /// Runs `body` with a fresh tmpfs of `kilobytes` at a new directory.
  func withSmallFileSystem(_ kilobytes: Int, _ body: (String) throws -> Void) throws {
    let mountPoint = NSTemporaryDirectory() + "fdb-full-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
    defer { rmdir(mountPoint) }
    let (status, _, err) = try run(
      "/bin/mount", ["-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", mountPoint])
    try #require(status == 0, "mount: \(err)")
    defer {
      // A child process another test started in parallel may hold a file of it open (an
      // inherited descriptor): detach it lazily then, rather than leave it mounted.
      if (try? run("/bin/umount", [mountPoint]))?.0 != 0 {
        _ = try? run("/bin/umount", ["-l", mountPoint])
      }
    }
    try body(mountPoint)
  }

  @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
  func writesOnAFullFileSystemSaySoAndLoseNothing() throws {
    try withSmallFileSystem(512) { dir in
      let db = try FeatureStore(path: dir + "/s.fdb", options: StoreOptions(mapSize: 1 << 22))
      try db.define(FeatureDefinition("s", type: .string))
      var rng = SystemRandomNumberGenerator()
      var written = 0
      var failure: FeatureDBError?
      for i in 0..<200 {
        let value = String(
          (0..<20_000).map { _ in Character(UnicodeScalar(UInt8.random(in: 97...122, using: &rng)))
          })
        do {
          try db.put("s", "e\(i)", value)
          written += 1
        } catch let error as FeatureDBError {
          failure = error
          break
        }
      }
      let error = try #require(failure)
      #expect(error.description.contains("no space left on device"), "\(error)")
      #expect(written > 3)
      #expect(try db.latest("s", "e0", as: String.self)?.count == 20_000)
      #expect(try db.verify().isClean)
    }
  }

  @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
  func initOnAFullFileSystemIsAnErrorNotACrash() throws {
    try withSmallFileSystem(16) { dir in
      // Fill it.
      let filler = dir + "/filler"
      FileManager.default.createFile(atPath: filler, contents: nil)
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
      while (try? handle.write(contentsOf: Data(count: 4096))) != nil {}
      try? handle.close()
      let error = thrownError { _ = try FeatureStore(path: dir + "/new.fdb") }
      #expect(
        error?.description.contains("no space left on device") == true,
        "\(String(describing: error))")
    }
  }
}

extension DiskFullTests {
  @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
  func anExportThatRunsOutOfSpaceIsARuntimeErrorAndLeavesNothing() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    try db.define(FeatureDefinition("s", type: .string))
    try db.write { b in
      for e in 0..<2000 { b.put("s", "e\(e)", String(repeating: "v", count: 200)) }
    }
    try withSmallFileSystem(64) { dir in
      let error = thrownError {
        try db.exportSnapshot(to: dir + "/out.csv", options: ExportOptions(features: ["s"]))
      }
      guard case .noSpace = error else {
        Issue.record("got \(String(describing: error))")
        return
      }
      #expect((try? FileManager.default.contentsOfDirectory(atPath: dir)) == [])
    }
  }
}

extension DiskFullTests {
  /// Issue 19, item 11: a rollback whose operation fits on a nearly full disk but whose marking
  /// does not says it is recorded and in force (never "nothing was written"), and is finished
  /// once there is room.
  @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
  func aRollbackOnAFullDiskSaysItIsRecordedAndInForce() throws {
    try withSmallFileSystem(24 << 10) { dir in
      // Written elsewhere and compacted into the small file system: no free pages to reuse.
      let path = dir + "/s.fdb"
      let source = TemporaryDirectory()
      do {
        let db = try FeatureStore(
          path: source.child("s.fdb"), options: StoreOptions(durability: .noSync))
        try db.define(FeatureDefinition("s", type: .int, maxVersions: 0))
        for v in 0..<120 {
          try db.write { b in
            b.lineage = Lineage(run: "big")
            b.eventTime = t(Int64(v))
            for e in 0..<500 { b.put("s", "e\(e)", .int(Int64(v))) }
          }
        }
        try db.compact(to: path)
      }
      // Leave about 100 KB free.
      let filler = dir + "/filler"
      var stats = statvfs()
      statvfs(dir, &stats)
      let free = Int(stats.f_bavail) * Int(stats.f_frsize)
      FileManager.default.createFile(atPath: filler, contents: nil)
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
      let chunk = Data(count: 64 << 10)
      for _ in 0..<max(0, (free - (100 << 10)) / chunk.count) {
        try handle.write(contentsOf: chunk)
      }
      try handle.close()
      let db = try FeatureStore(path: path, options: StoreOptions(durability: .noSync))
      let message = thrownError { try db.rollback(.run("big")) }?.description ?? ""
      #expect(
        message.contains("operation 1 (rollback of run big) is recorded and in force"), "\(message)"
      )
      #expect(!message.contains("nothing was written"), "\(message)")
      #expect(try db.latest("s", "e7") == nil)
      try FileManager.default.removeItem(atPath: filler)
      try db.applyPendingRetractions()
      #expect(try db.operation(1).versions == 60_000)
      #expect(try db.verify().isClean)
    }
  }
}
