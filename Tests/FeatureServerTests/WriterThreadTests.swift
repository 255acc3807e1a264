import Foundation
import Synchronization
import Testing

@testable import FeatureServer

/// The writer thread runs jobs one at a time, below the caller's priority, and hands back what
/// they return or throw.
@Suite struct WriterThreadTests {
  struct Refused: Error {}

  /// Which jobs began and ended, in order (`i` as it begins, `-i - 1` as it ends).
  final class Log: Sendable {
    let entries = Mutex<[Int]>([])
  }

  @Test func jobsRunOneAtATimeAndAnswer() async throws {
    let writer = WriterThread()
    let outside = getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0)
    let inside = try await writer.run { getpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0) }
    #expect(inside == min(outside + WriterThread.niceness, 19))
    let log = Log()
    let results = try await withThrowingTaskGroup(of: Int.self) { group in
      for i in 0..<50 {
        group.addTask {
          try await writer.run {
            log.entries.withLock { $0.append(i) }
            defer { log.entries.withLock { $0.append(-i - 1) } }
            return i
          }
        }
      }
      return try await group.reduce(into: []) { $0.append($1) }
    }
    #expect(results.sorted() == Array(0..<50))
    // Never two at once: each job ends before the next begins.
    let entries = log.entries.withLock { $0 }
    #expect(entries.count == 100)
    #expect(
      stride(from: 0, to: entries.count, by: 2).allSatisfy { entries[$0 + 1] == -entries[$0] - 1 })
    await #expect(throws: Refused.self) { try await writer.run { throw Refused() } }
    #expect(try await writer.run { 7 } == 7)  // still running after an error
  }
}
