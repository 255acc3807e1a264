import FeatureDB
import Foundation

/// Reading the input: a file (resumed from its checkpoint) or events in memory.
extension PipelineRunner {

  /// Runs over a JSON Lines file (or `-` for stdin, which is not resumed), resuming from this
  /// file's checkpoint.
  ///
  /// - Throws: ``PipelineError/badEvent(line:reason:)`` for a bad line (nothing of its batch is
  ///   committed; the checkpoint stays before it), ``PipelineError/checkpointMismatch(_:)`` when
  ///   the checkpoint names another file at this path, ``PipelineError/io(_:)`` when the file
  ///   (or the rejects file) cannot be opened, read or seeked,
  ///   ``PipelineError/corruptState(_:)`` for a checkpoint or state that does not decode,
  ///   ``PipelineError/invalidConfiguration(_:)`` when another writer wrote the pipeline's
  ///   features or the run was rolled back, `FeatureDBError.resourceBusy` (before anything is
  ///   written) while another runner of this prefix or run is running,
  ///   ``PipelineError/rewindRefused(prefix:runs:blocking:reason:)`` (before anything is
  ///   written) when the state cannot follow the rollbacks of the prefix's runs (see
  ///   ``applyRollbacks()``, which every run does first), store errors.
  public func run(file path: String) throws -> PipelineReport {
    let stdin = path == "-"
    let fd = stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw PipelineError.io("cannot open \(path): \(String(cString: strerror(errno)))")
    }
    defer { if !stdin { close(fd) } }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw PipelineError.io("cannot stat \(path)") }
    let absolute = stdin ? "-" : URL(fileURLWithPath: path).standardizedFileURL.path
    let identity = (device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    let name = checkpointName(absolute)
    return try exclusively(name, resuming: !stdin) { resumed, runID in
      if let c = resumed {
        guard c.device == identity.device, c.inode == identity.inode else {
          throw PipelineError.checkpointMismatch(
            "\(path) is another file than the one checkpointed (device/inode \(c.device)/\(c.inode)); "
              + "use another --prefix or remove the store's pipeline state")
        }
      }
      try start(resumed, runID: runID, source: absolute)
      if let c = resumed, lseek(fd, off_t(c.report.offset), SEEK_SET) < 0 {
        throw PipelineError.io("cannot seek \(path) to \(c.report.offset)")
      }
      return try consume(fd: fd, checkpoint: name, identity)
    }
  }

  /// Reads the file from the position ``start(_:runID:source:)`` set, commits batch by batch
  /// and finishes the run.
  private func consume(
    fd: Int32, checkpoint name: String, _ identity: (device: UInt64, inode: UInt64)
  ) throws -> PipelineReport {
    var reader = JSONLinesReader(fd: fd, offset: report.offset, line: report.line)
    let decoder = EventDecoder()
    let rejects = try RejectsFile(options.rejectsPath)
    var inBatch = 0
    return try finishing {
      while let line = try reader.next() {
        inBatch += 1
        do {
          if let length = line.overlong {
            throw PipelineError.badEvent(
              line: line.number, reason: "line longer than 1 MB (\(length) bytes)")
          }
          if !line.bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
            try process(try decoder.decode(line.bytes, line: line.number))
          }
        } catch let PipelineError.badEvent(number, reason) where rejects != nil {
          try rejects!.write(line: number, reason: reason, text: line.bytes)
          report.rejected += 1
        }
        report.offset = line.end
        report.line = line.number + 1
        if batchEnds(inBatch) {
          try commit(name, identity)
          inBatch = 0
        }
        if stopping {
          report.interrupted = true
          break
        }
      }
      try commit(name, identity)
    }
  }

  /// Runs over events in memory; the checkpoint named `input` counts events, so calling again
  /// with the same sequence (or a longer one) skips the events already committed.
  ///
  /// - Throws: ``PipelineError/corruptState(_:)`` for a checkpoint or state that does not
  ///   decode, ``PipelineError/invalidConfiguration(_:)`` when another writer wrote the
  ///   pipeline's features or the run was rolled back, `FeatureDBError.resourceBusy` (before
  ///   anything is written) while another runner of this prefix or run is running,
  ///   ``PipelineError/rewindRefused(prefix:runs:blocking:reason:)`` (before anything is
  ///   written) when the state cannot follow the rollbacks of the prefix's runs, store errors.
  public func run<S: Sequence<BehaviorEvent>>(events: S, input: String) throws -> PipelineReport {
    let name = checkpointName(input)
    return try exclusively(name, resuming: true) { resumed, runID in
      try start(resumed, runID: runID, source: input)
      var inBatch = 0
      return try finishing {
        for (index, event) in events.enumerated() where UInt64(index) >= report.offset {
          try process(event)
          report.offset = UInt64(index + 1)
          inBatch += 1
          if batchEnds(inBatch) {
            try commit(name, (0, 0))
            inBatch = 0
          }
          if stopping {
            report.interrupted = true
            break
          }
        }
        try commit(name, (0, 0))
      }
    }
  }

  /// Runs `body(resumed checkpoint, run id)` as the one writer of this pipeline's state
  /// namespace (its users' states and its inputs' checkpoints) and of the run: the namespace is
  /// claimed before the state is rewound for rollbacks (``rewindState()``) and the checkpoint
  /// is read, the run before anything is written, so a second
  /// runner of the same prefix or run — in this process or another — is refused with
  /// `FeatureDBError.resourceBusy` before it writes (see `FeatureStore.claiming`). The run id
  /// is the options', else the checkpoint's, else `pipeline-<time>`.
  func exclusively(
    _ checkpoint: String, resuming: Bool,
    _ body: (Checkpoint?, String) throws -> PipelineReport
  ) throws -> PipelineReport {
    func claimed() throws -> PipelineReport {
      // Rollbacks and undos of the prefix's runs first: they may change the checkpoint.
      if options.persist { try rewindState() }
      let bytes = options.persist ? try store.checkpoint(checkpoint) : nil
      inputCheckpoint = (checkpoint, bytes)
      let resumed = resuming ? try bytes.map(decodeCheckpoint) : nil
      let runID =
        options.runID ?? resumed?.report.runID
        ?? "pipeline-\(Timestamp.now.iso8601.filter { $0 != ":" && $0 != "-" })"
      guard options.persist else { return try body(resumed, runID) }
      return try store.claiming(.run(runID)) { try body(resumed, runID) }
    }
    guard options.persist else { return try claimed() }
    return try store.claiming(.namespace(namespace), claimed)
  }

  /// The name of the checkpoint kept for `input` (a path or an API input name):
  /// `pipeline:<prefix>:<input>`, with a hash of `input` instead when that exceeds 400 bytes.
  public func checkpointName(_ input: String) -> String {
    var name = "pipeline:\(prefix):\(input)"
    if name.utf8.count > 400 {
      name = "pipeline:\(namespace):#\(String(stableHash(input), radix: 16))"
    }
    return name
  }

  func decodeCheckpoint(_ bytes: [UInt8]) throws -> Checkpoint {
    do { return try JSONDecoder().decode(Checkpoint.self, from: Data(bytes)) } catch {
      throw PipelineError.corruptState("checkpoint: \(error)")
    }
  }
}
