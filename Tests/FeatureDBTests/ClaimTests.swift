import Foundation
import Testing

@testable import FeatureDB

@Suite struct ClaimTests {
  /// A claim ended is free at once, even while other threads spawn processes: a child between
  /// `fork` and `exec` holds a copy of the lock file's descriptor, and a lock left to `close`
  /// outlived the claim until that child's `exec` (a false "in use" seen in CI).
  @Test func anEndedClaimIsFreeWhileOtherThreadsSpawnProcesses() throws {
    let (db, _dir) = try makeStore()
    _ = _dir
    let stop = Flag()
    let spawner = Thread {
      while !stop.isSet {
        if let child = try? ChildProcess("/bin/true", [], stderrPath: "/dev/null") {
          _ = child.wait()
        }
      }
    }
    spawner.start()
    defer { stop.set() }
    var refused = 0
    for _ in 0..<3_000 {
      do { try db.claiming(.run("r")) {} } catch FeatureDBError.resourceBusy { refused += 1 }
    }
    #expect(refused == 0, "\(refused) of 3000 claims of a free run were refused")
  }
}
