import Synchronization

/// A flag another thread (a signal handler's queue) sets to stop a ``PipelineRunner``.
public final class StopSignal: Sendable {
  private let flag = Atomic<Bool>(false)
  /// A flag that is not set.
  public init() {}
  /// Asks the runner to stop after the line in hand (see ``PipelineRunner/stop()``).
  public func stop() { flag.store(true, ordering: .relaxed) }
  var requested: Bool { flag.load(ordering: .relaxed) }
  func reset() { flag.store(false, ordering: .relaxed) }
}
