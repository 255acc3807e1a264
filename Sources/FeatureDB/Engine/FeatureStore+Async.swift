import Dispatch
import Synchronization

/// Async overloads: the same operations for Swift concurrency, run off the cooperative thread
/// pool.
///
/// A synchronous write waits for the writer lock (held by another write of this process, or by
/// another process) on the calling thread. Called from a task, that wait occupies one of the few
/// threads of the cooperative pool, and unrelated tasks stall behind it. The async overloads hand
/// the LMDB work to Dispatch instead — writes to one serial queue per store path, reads to a
/// concurrent queue — and suspend the task until it is done, as GRDB's `DatabaseWriter` does:
///
/// ```swift
/// try await db.write { batch in batch.put("user.spend_7d", "u1", 12.5) }
/// let spend = try await db.latest("user.spend_7d", "u1", as: Double.self)
/// let (a, b) = try await db.read { snap in
///   (try snap.latest("user.spend_7d", "u1"), try snap.latest("user.segment", "u1"))
/// }
/// ```
///
/// Which to use: from async code (servers, actors, task groups) use these, with `await`; from
/// threads you own (command-line tools, batch jobs, `DispatchQueue` work) use the synchronous
/// calls, which cost no thread hop. A transaction never spans an `await`: each body runs whole
/// on one Dispatch thread, synchronously.
extension FeatureStore {
  // MARK: - Scheduling

  /// Serial queues for writes, one per store path: a write blocked on the writer lock holds one
  /// Dispatch thread, never a cooperative one, and queued writes do not pile up threads.
  private static let writerQueues = Mutex<[String: DispatchQueue]>([:])

  private var writerQueue: DispatchQueue {
    Self.writerQueues.withLock { queues in
      if let queue = queues[path] { return queue }
      let queue = DispatchQueue(label: "FeatureDB.writer \(path)")
      queues[path] = queue
      return queue
    }
  }

  /// Reads never wait for a writer (LMDB's readers are lock-free), so they share a concurrent
  /// queue.
  private static let readerQueue = DispatchQueue(
    label: "FeatureDB.reader", attributes: .concurrent)

  private func offPool<R: Sendable>(
    _ queue: DispatchQueue, _ work: @escaping @Sendable () throws -> R
  ) async throws -> R {
    try await withCheckedThrowingContinuation { continuation in
      queue.async { continuation.resume(with: Result { try work() }) }
    }
  }

  // MARK: - Reading

  /// ``read(_:)-3mz9y`` from async code: `body` runs in one read snapshot on a Dispatch thread while
  /// the calling task is suspended.
  ///
  /// - Warning: `body` is synchronous and runs whole inside the read transaction; keep it short.
  public func read<R: Sendable>(_ body: @escaping @Sendable (borrowing Snapshot) throws -> R)
    async throws -> R
  {
    try await offPool(Self.readerQueue) { try self.read(body) }
  }

  /// ``latest(_:_:)-75ind`` from async code.
  public func latest(_ feature: String, _ entity: String) async throws -> FeatureValue? {
    try await read { try $0.latest(feature, entity) }
  }

  /// ``latest(_:_:as:)`` from async code.
  public func latest<T: FeatureValueConvertible & Sendable>(
    _ feature: String, _ entity: String, as type: T.Type
  ) async throws -> T? {
    try await read { try $0.latest(feature, entity, as: type) }
  }

  /// ``asOf(_:_:eventTime:writeTime:)-maji`` from async code.
  public func asOf(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, writeTime: Timestamp? = nil
  ) async throws -> FeatureValue? {
    try await read { try $0.asOf(feature, entity, eventTime: eventTime, writeTime: writeTime) }
  }

  /// ``history(_:_:limit:includeRetracted:)-4vyy1`` from async code.
  public func history(
    _ feature: String, _ entity: String, limit: Int? = nil, includeRetracted: Bool = false
  ) async throws -> [Version] {
    try await read {
      try $0.history(feature, entity, limit: limit, includeRetracted: includeRetracted)
    }
  }

  /// ``latest(features:entities:)`` from async code.
  public func latest(features: [String], entities: [String]) async throws -> [[FeatureValue?]] {
    try await read { try $0.latest(features: features, entities: entities) }
  }

  // MARK: - Writing

  /// ``write(_:)-b05u`` from async code: `body` collects the writes on the calling task (it takes no
  /// lock), then the transaction runs on the store's writer queue while the task is suspended.
  @discardableResult
  public func write(_ body: (inout WriteBatch) throws -> Void) async throws -> [VersionRef] {
    var batch = WriteBatch()
    try body(&batch)
    let collected = batch
    return try await offPool(writerQueue) { try self.commit(collected) }
  }

  /// ``put(_:_:_:eventTime:lineage:)-8voae`` from async code.
  @discardableResult
  public func put(
    _ feature: String, _ entity: String, _ value: FeatureValue, eventTime: Timestamp? = nil,
    lineage: Lineage = .none
  ) async throws -> VersionRef {
    try await write { $0.put(feature, entity, value, eventTime: eventTime, lineage: lineage) }[0]
  }

  /// ``put(_:_:_:eventTime:lineage:)-49d8z`` with a Swift value, from async code.
  @discardableResult
  public func put<V: FeatureValueConvertible>(
    _ feature: String, _ entity: String, _ value: V, eventTime: Timestamp? = nil,
    lineage: Lineage = .none
  ) async throws -> VersionRef {
    try await put(feature, entity, value.featureValue, eventTime: eventTime, lineage: lineage)
  }

  /// ``delete(_:_:eventTime:lineage:)-7i4mo`` from async code.
  @discardableResult
  public func delete(
    _ feature: String, _ entity: String, eventTime: Timestamp? = nil, lineage: Lineage = .none
  ) async throws -> VersionRef {
    try await write { $0.delete(feature, entity, eventTime: eventTime, lineage: lineage) }[0]
  }
}
