import Dispatch
import Foundation
import Synchronization

/// One thread of its own, at a lower scheduling priority (nice 10), that does the work of
/// writes one job at a time: decoding a pushed frame, committing it. Reads run on the normal
/// threads, so when the cores are busy the kernel gives them the CPU first and a push in
/// progress does not hold up the reads queued behind it; writes take what is left.
final class WriterThread: Sendable {
  /// How much lower the thread's priority is than the process's (`nice`).
  static let niceness: Int32 = 10

  private enum Job: Sendable {
    case run(@Sendable () -> Void)
    case stop
  }

  /// The jobs not yet taken, and a count of them to wait on (the thread holds these, not the
  /// `WriterThread`, which stops the thread when it goes).
  private final class Queue: Sendable {
    let jobs = Mutex<[Job]>([])
    let waiting = DispatchSemaphore(value: 0)

    func add(_ job: Job) {
      jobs.withLock { $0.append(job) }
      waiting.signal()
    }
  }

  private let queue = Queue()

  /// Starts the thread.
  init() {
    let queue = self.queue
    let thread = Thread {
      // Linux keeps a nice value per thread: `who` 0 is the calling thread.
      _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, Self.niceness)
      while true {
        queue.waiting.wait()
        switch queue.jobs.withLock({ $0.removeFirst() }) {
        case .run(let work): work()
        case .stop: return
        }
      }
    }
    thread.name = "fdb-server writer"
    thread.start()
  }

  deinit { queue.add(.stop) }

  /// Runs `work` on the thread, after the jobs queued before it, and returns what it returns.
  func run<R: Sendable>(_ work: @escaping @Sendable () throws -> R) async throws -> R {
    try await withCheckedThrowingContinuation { continuation in
      queue.add(.run { continuation.resume(with: Result { try work() }) })
    }
  }
}
