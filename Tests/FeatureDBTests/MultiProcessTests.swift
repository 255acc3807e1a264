import Foundation
import Testing

@testable import FeatureDB

@Suite struct MultiProcessTests {
  @Test func anotherProcessWritesWhileThisOneReads() throws {
    let dir = TemporaryDirectory()
    let path = dir.child("s")
    let db = try FeatureStore(path: path)
    try db.define(FeatureDefinition("child.counter", type: .int))
    let child = Process()
    child.executableURL = URL(fileURLWithPath: productPath("fdb-test-child"))
    child.arguments = ["write", path, "200"]
    let out = Pipe()
    child.standardOutput = out
    try child.run()
    var seen: Set<Int> = []
    while child.isRunning {
      // Every batch writes the same value to e0…e9: a consistent snapshot shows one value.
      let row = try db.read { s in
        try (0..<10).map { try s.latest("child.counter", "e\($0)", as: Int.self) }
      }
      if let first = row[0] {
        #expect(row.allSatisfy { $0 == first })
        seen.insert(first)
      } else {
        #expect(row.allSatisfy { $0 == nil })
      }
    }
    child.waitUntilExit()
    #expect(child.terminationStatus == 0)
    let lines = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      .split(separator: "\n")
    #expect(lines.last == "committed 200")
    #expect(try db.latest("child.counter", "e9", as: Int.self) == 200)
    #expect(try db.history("child.counter", "e0").count == 10)  // maxVersions default
    // The reads overlapped the writes: snapshots saw at least two different batches, one of them
    // before the last (a test that only ever read the final state would prove nothing).
    #expect(seen.count >= 2 && seen.contains { $0 < 200 }, "batches seen: \(seen.sorted())")
  }

  @Test func anotherProcessReadsWhatThisOneWrote() throws {
    let dir = TemporaryDirectory()
    let path = dir.child("s")
    let db = try FeatureStore(path: path)
    try db.define(FeatureDefinition("x", type: .string))
    try db.put("x", "e/1", "from parent")
    let (status, out, err) = try run(productPath("fdb-test-child"), ["read", path, "x", "e/1"])
    #expect(status == 0, "\(err)")
    #expect(out == "from parent\n")
  }

  @Test func aMapGrownByAnotherProcessIsAdopted() throws {
    let dir = TemporaryDirectory()
    let path = dir.child("s")
    let db = try FeatureStore(path: path, options: StoreOptions(mapSize: 256 * 1024))
    try db.define(FeatureDefinition("child.counter", type: .int))
    try db.define(FeatureDefinition("pad", type: .bytes))
    // The child writes enough to grow the map beyond this process's size.
    let (status, _, err) = try run(productPath("fdb-test-child"), ["write", path, "3000"])
    #expect(status == 0, "\(err)")
    #expect(try db.latest("child.counter", "e0", as: Int.self) == 3000)
    try db.put("pad", "p", [UInt8](repeating: 1, count: 100))
    #expect(try db.latest("pad", "p", as: [UInt8].self)?.count == 100)
  }
}
