import Foundation
import Synchronization
import Testing

@testable import FeatureDB

/// A flag set once, readable from any thread.
final class Flag: Sendable {
  private let value = Atomic<Bool>(false)
  func set() { value.store(true, ordering: .sequentiallyConsistent) }
  var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}

/// A counter, shared by any threads.
final class Counter: Sendable {
  private let value = Atomic<Int>(0)
  func increment() { value.add(1, ordering: .sequentiallyConsistent) }
  var count: Int { value.load(ordering: .sequentiallyConsistent) }
}

/// The async overloads run LMDB work off the cooperative pool: tasks waiting to write do not
/// stall tasks that read.
@Suite struct AsyncTests {
  @Test func thousandTasksFinishWhileASlowWriterHoldsTheLock() async throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .int, maxVersions: 0))
    try await db.put("f", "e", 0)
    // A writer holds the write lock on a thread of its own until the 500 reads below have run
    // (at most 300 s: other tests may keep the cooperative threads busy for a while — there are
    // as many as cores, two here, and a long synchronous test holds one to its end — so a fixed
    // hold would make the test depend on the load; a read that waits for the writer still fails).
    let locked = DispatchSemaphore(value: 0)
    let released = Flag()
    let readsDone = Counter()
    let holder = Thread {
      try! db.writeTransaction("slow") { _ in
        locked.signal()
        let start = ContinuousClock.now
        while readsDone.count < 500,
          ContinuousClock.now - start < .seconds(300)
        {
          Thread.sleep(forTimeInterval: 0.01)
        }
        released.set()
      }
    }
    holder.start()
    await withCheckedContinuation { c in
      DispatchQueue.global().async {
        locked.wait()
        c.resume()
      }
    }
    let start = ContinuousClock.now
    // 500 tasks queue writes behind the lock; 500 tasks read meanwhile. With the synchronous
    // calls the first writers would block the cooperative threads and no read could run.
    let readsBeforeRelease = try await withThrowingTaskGroup(of: Bool?.self) { group in
      for i in 0..<1000 {
        if i % 2 == 0 {
          group.addTask {
            try await db.put("f", "e\(i)", Int64(i))
            return nil
          }
        } else {
          group.addTask {
            // Whether the read ran before the writer let go is decided where it runs (the
            // task may resume later when other tests keep the cooperative threads busy).
            let (value, early) = try await db.read { snap in
              let read = (try snap.latest("f", "e", as: Int.self), !released.isSet)
              readsDone.increment()
              return read
            }
            #expect(value == 0)
            return early
          }
        }
      }
      var early = 0
      for try await result in group where result == true { early += 1 }
      return early
    }
    let elapsed = ContinuousClock.now - start
    #expect(readsBeforeRelease == 500, "reads waited for the writer")
    #expect(elapsed < .seconds(300))
    #expect(try await db.read { try $0.entities(of: "f") }.count == 501)
    holder.cancel()
    _ = dir
  }

  @Test func asyncOverloadsMatchTheSynchronousCalls() async throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("f", type: .double))
    let ref = try await db.put("f", "u1", 1.5, eventTime: t(1))
    try await db.write { batch in batch.put("f", "u1", 2.5, eventTime: t(2)) }
    #expect(ref.version == 1)
    #expect(try await db.latest("f", "u1") == .double(2.5))
    #expect(try await db.latest("f", "u1", as: Double.self) == 2.5)
    #expect(try await db.asOf("f", "u1", eventTime: t(1)) == .double(1.5))
    #expect(try await db.history("f", "u1").map(\.version) == [2, 1])
    #expect(
      try await db.latest(features: ["f"], entities: ["u1", "u2"]) == [[.double(2.5)], [nil]])
    try await db.delete("f", "u1", eventTime: t(3))
    #expect(try await db.latest("f", "u1") == nil)
    let pair = try await db.read { snap in
      (try snap.asOf("f", "u1", eventTime: t(2)), try snap.latest("f", "u1"))
    }
    #expect(pair.0 == .double(2.5) && pair.1 == nil)
    await #expect(throws: FeatureDBError.unknownFeature("nope")) {
      try await db.put("nope", "u1", 1)
    }
    _ = dir
  }
}
