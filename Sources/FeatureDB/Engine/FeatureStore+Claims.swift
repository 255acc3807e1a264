import Foundation

/// What a writer can claim for itself while it writes: no other claim of the same resource,
/// in this process or another, succeeds until it ends (see ``FeatureStore/claiming(_:_:)``).
public enum WriterResource: Hashable, Sendable, CustomStringConvertible {
  /// A run: the pipeline writing it, or a rollback of it.
  case run(String)
  /// A state namespace: a pipeline's user states and, with them, the checkpoints of its inputs
  /// (every run of one pipeline prefix writes the same states and features).
  case namespace(String)

  /// `run 'ID'` or `state namespace 'NAME'`.
  public var description: String {
    switch self {
    case .run(let id): "run '\(id)'"
    case .namespace(let name): "state namespace '\(name)'"
    }
  }

  /// The lock file's name in the store's `claims` directory: the kind and a 64-bit FNV-1a hash
  /// of the id (two ids sharing a hash only refuse each other; they never write together).
  var fileName: String {
    let (kind, id) =
      switch self {
      case .run(let id): ("run", id)
      case .namespace(let name): ("namespace", name)
      }
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in id.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    return kind + "-" + String(hash, radix: 16) + ".lock"
  }
}

extension FeatureStore {
  // MARK: - Writer claims

  /// Runs `body` while this caller alone holds `resource`; a second claim of it — by another
  /// process or in this one — is refused at once, before it writes anything.
  ///
  /// A claim is an exclusive `flock` on a file in the store's `claims` directory, held for the
  /// duration of `body` and unlocked when `body` returns or throws. The kernel drops it when the
  /// process ends in any way (kill -9 included), so a crashed writer never leaves a resource
  /// claimed. The pipeline claims its state namespace (its users' states and its inputs'
  /// checkpoints) and its run for the whole run; a rollback of a run claims the run, so it is
  /// refused while the run is being written, and a run is never written while it is being
  /// rolled back.
  ///
  /// ```swift
  /// try db.claiming(.run("ingest-7")) { try writeTheRun() }
  /// ```
  /// - Throws: ``FeatureDBError/resourceBusy(_:)`` when another writer holds `resource`;
  ///   ``FeatureDBError/permissionDenied(path:detail:)`` or
  ///   ``FeatureDBError/invalidArgument(_:)`` when the lock file cannot be made; what `body`
  ///   throws.
  public func claiming<R>(_ resource: WriterResource, _ body: () throws -> R) throws -> R {
    let directory = path + "/claims"
    if mkdir(directory, 0o700) != 0, errno != EEXIST {
      throw claimError(directory, errno)
    }
    let file = directory + "/" + resource.fileName
    let fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw claimError(file, errno) }
    defer { close(fd) }
    while flock(fd, LOCK_EX | LOCK_NB) != 0 {
      guard errno == EINTR else {
        if errno == EWOULDBLOCK { throw FeatureDBError.resourceBusy(resource.description) }
        throw claimError(file, errno)
      }
    }
    // Unlocked explicitly, not by `close`: a process another thread is spawning holds a copy
    // of `fd` until its `exec`, and the lock lives as long as any copy.
    defer { flock(fd, LOCK_UN) }
    return try body()
  }

  private func claimError(_ file: String, _ code: Int32) -> FeatureDBError {
    let detail = "cannot lock \(file): \(String(cString: strerror(code)))"
    return code == EACCES || code == EPERM || code == EROFS
      ? .permissionDenied(path: path, detail: detail) : .invalidArgument(detail)
  }
}
