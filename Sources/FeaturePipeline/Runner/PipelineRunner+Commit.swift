import FeatureDB
import Foundation

/// The end of a batch: its write batch, handed to the committer.
extension PipelineRunner {
  /// Whether the batch in hand, of `events` input lines or events, ends now: at the batch
  /// size, or in per-event mode also as soon as the previous commit has finished (group
  /// commit: batches grow while commits are slow, so latency stays near two commit times).
  /// Per-event versions do not depend on where batches end, so a resumed run still writes
  /// exactly what an uninterrupted one would; per-batch coalescing needs fixed boundaries.
  func batchEnds(_ events: Int) -> Bool {
    events == options.batchSize
      || (options.coalesce == .perEvent && options.persist && committer.idle)
  }

  /// Forgets the batch in hand once it is handed over (or dropped): its writes, pending values,
  /// touched users and changed source records.
  func clearBatch() {
    for u in dirty { u.dirty = false }
    dirty.removeAll(keepingCapacity: true)
    pending.removeAll(keepingCapacity: true)
    operations.removeAll(keepingCapacity: true)
    expectedVersions.removeAll(keepingCapacity: true)
    changedSources.removeAll(keepingCapacity: true)
  }

  /// Ends the batch in hand: builds its write batch (versions with lineage, the touched users'
  /// states, the checkpoint) and hands it to the committer, which commits it while the next
  /// batch is processed. Commits happen one at a time, in order.
  func commit(_ checkpoint: String, _ identity: (device: UInt64, inode: UInt64)) throws {
    if options.coalesce == .perBatch {
      for u in dirty {
        // Inputs: the user's events of the batch from the first that changed the feature to the
        // one whose value is written; one array per distinct range.
        var shared: [Int64: [LineageInput]] = [:]
        let before = u.current
        for f in 0..<featureNames.count {
          guard let p = pending[u.slot + f], p.force || p.value != p.before else { continue }
          let key = Int64(p.from) << 32 | Int64(p.upto)
          let ids = shared[key] ?? u.batchEvents[Int(p.from)...Int(p.upto)].map { .raw($0) }
          shared[key] = ids
          // A parent's version as of this value: the batch's, unless that one is newer.
          appendOperation(
            u, f, p.value, p.eventTime, ids,
            parentVersions: { q in
              guard u.current[q] != before[q], let pq = self.pending[u.slot + q],
                pq.eventTime <= p.eventTime
              else { return before[q] }
              return u.current[q]
            })
        }
      }
    }
    report.versions += operations.count
    report.batches += 1
    guard options.persist else {
      clearBatch()
      progress?(report)
      return
    }
    let state = Checkpoint(
      path: source, device: identity.device, inode: identity.inode, report: report,
      quality: qualityCounter.snapshot)
    var batch = WriteBatch()
    for op in operations {
      batch.put(
        featureNames[op.feature], op.user, op.value, eventTime: Timestamp(microseconds: op.time),
        lineage: Lineage(
          producer: producers[extractorOfFeature[op.feature]], run: report.runID, source: source,
          inputs: op.inputs))
    }
    for u in dirty {
      batch.setState(u.encode(fingerprint: fingerprint), entity: u.id, namespace: namespace)
    }
    for key in changedSources {
      batch.setState(sources[key]!.encoded(), entity: key, namespace: sourceNamespace)
    }
    batch.setCheckpoint(checkpoint, Array(try JSONEncoder().encode(state)))
    addPreRunRecords(to: &batch)
    try committer.submit(batch, expecting: expectedVersions, offset: report.offset)
    for u in dirty {
      let bytes = u.estimatedBytes
      cachedStateBytes += bytes - u.countedBytes
      u.countedBytes = bytes
    }
    clearBatch()
    if cachedStateBytes > options.stateCacheBytes {
      try committer.drain()
      emptyCache()
      savedMayExist = true  // states read back may have pre-run records now
    }
    progress?(report)
  }

  /// Forgets every cached user state and source record (they are read back as needed).
  func emptyCache() {
    users.removeAll()
    sources.removeAll()
    sourcesBefore.removeAll()
    cachedStateBytes = 0
  }
}
