import Foundation
import Testing

@testable import FeatureDB

/// Compact and export outputs appear whole or not at all (issue 13, item 5).
@Suite struct CompactAtomicTests {
  /// A process id that no longer exists: a child that has exited and been reaped.
  func deadPID() throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    return process.processIdentifier
  }

  func storeWithData() throws -> (FeatureStore, TemporaryDirectory) {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int))
    try db.write { b in for e in 0..<500 { b.put("f", "e\(e)", Int64(e)) } }
    return (db, dir)
  }

  func leftovers(_ dir: TemporaryDirectory) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }
  }

  @Test func aCompactThatFailsLeavesNoOutputAndNoTemporaryDirectory() throws {
    let (db, dir) = try storeWithData()
    let out = dir.child("out")
    struct Injected: Error {}
    #expect(throws: Injected.self) {
      try db.compact(to: out, beforeRename: { throw Injected() })
    }
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(try leftovers(dir) == [])
    // An empty OUT directory stays as it was.
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
    #expect(throws: Injected.self) {
      try db.compact(to: out, beforeRename: { throw Injected() })
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: out) == [])
    #expect(try leftovers(dir) == [])
    // Then it works, into the empty directory.
    try db.compact(to: out)
    #expect(try FeatureStore(path: out).latest("f", "e499", as: Int64.self) == 499)
  }

  @Test func aKilledCompactsDirectoryIsRemovedByTheNext() throws {
    let (db, dir) = try storeWithData()
    let stale = dir.child(".out.compact-\(try deadPID()).tmp")
    try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: false)
    #expect(
      FileManager.default.createFile(atPath: stale + "/data.mdb", contents: Data(count: 8192)))
    // One of a live process (this one is excluded by pid; use the parent) is kept.
    let live = dir.child(".out.compact-\(getppid()).tmp")
    try FileManager.default.createDirectory(atPath: live, withIntermediateDirectories: false)
    try db.compact(to: dir.child("out"))
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(FileManager.default.fileExists(atPath: live))
    #expect(try FeatureStore(path: dir.child("out")).verify().isClean)
  }

  @Test func aDamagedSourceIsNotCompacted() throws {
    let (db, dir) = try storeWithData()
    let path = db.path
    let data = path + "/data.mdb"
    try db.sync()
    // Damage the flags of the last page of the largest table (a chains or entities page).
    let meta = DataFile.current(try DataFile(path: data).metas().get())
    var bytes = try Data(contentsOf: URL(fileURLWithPath: data))
    var damagedPage: Int?
    for page in (2...Int(meta.lastPage)).reversed() where bytes[page * 4096 + 10] == 0x02 {
      bytes[page * 4096 + 10] = 0x01  // leaf → branch
      damagedPage = page
      break
    }
    #expect(damagedPage != nil)
    try bytes.write(to: URL(fileURLWithPath: data))
    let error = thrownError { try db.compact(to: dir.child("out")) }
    guard case .damagedStore = error else {
      Issue.record("got \(String(describing: error))")
      return
    }
    #expect(!FileManager.default.fileExists(atPath: dir.child("out")))
    #expect(try leftovers(dir) == [])
  }

  @Test func aKilledExportsTemporaryFileIsRemovedByTheNext() throws {
    let (db, dir) = try storeWithData()
    let stale = dir.child(".out.csv.\(try deadPID()).tmp")
    #expect(FileManager.default.createFile(atPath: stale, contents: Data(count: 1000)))
    try db.exportSnapshot(to: dir.child("out.csv"), options: ExportOptions(features: ["f"]))
    #expect(!FileManager.default.fileExists(atPath: stale))
    #expect(FileManager.default.fileExists(atPath: dir.child("out.csv")))
  }
}
