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

  /// Ends the batch in hand: builds its write batch (versions with lineage, the touched users'
  /// states, the checkpoint) and hands it to the committer, which commits it while the next
  /// batch is processed. Commits happen one at a time, in order.
  func commit(_ checkpoint: String, _ identity: (device: UInt64, inode: UInt64)) throws {
    if options.coalesce == .perBatch {
      for u in dirty {
        // Inputs: the user's events of the batch from the first that changed the feature to the
        // one whose value is written; one array per distinct range.
        var shared: [Int64: [String]] = [:]
        let before = u.versions
        for f in 0..<featureNames.count {
          guard let p = pending[u.slot + f], p.force || p.value != p.before else { continue }
          let key = Int64(p.from) << 32 | Int64(p.upto)
          let ids = shared[key] ?? Array(u.batchEvents[Int(p.from)...Int(p.upto)])
          shared[key] = ids
          // A parent's version as of this value: the batch's, unless that one is newer.
          appendOperation(
            u, f, p.value, p.eventTime, ids,
            parentVersions: { q in
              guard u.versions[q] != before[q], let pq = self.pending[u.slot + q],
                pq.eventTime <= p.eventTime
              else { return before[q] }
              return u.versions[q]
            })
        }
      }
      pending.removeAll(keepingCapacity: true)
    }
    report.versions += operations.count
    report.batches += 1
    guard options.persist else {
      changedSources.removeAll(keepingCapacity: true)
      for u in dirty { u.dirty = false }
      dirty.removeAll(keepingCapacity: true)
      operations.removeAll(keepingCapacity: true)
      expectedVersions.removeAll(keepingCapacity: true)
      progress?(report)
      return
    }
    let state = Checkpoint(
      path: source, device: identity.device, inode: identity.inode, report: report,
      quality: qualityCounter.snapshot)
    var batch = WriteBatch()
    var inputs: [[String]: [LineageInput]] = [:]
    for op in operations {
      var raw: [LineageInput]
      if op.ids.count == 1 {
        raw = [.raw(op.ids[0])]
      } else if let r = inputs[op.ids] {
        raw = r
      } else {
        raw = op.ids.map { .raw($0) }
        inputs[op.ids] = raw
      }
      if !op.parents.isEmpty { raw = op.parents + raw }
      batch.put(
        featureNames[op.feature], op.user, op.value, eventTime: Timestamp(microseconds: op.time),
        lineage: Lineage(
          producer: producers[extractorOfFeature[op.feature]], run: report.runID, source: source,
          inputs: raw))
    }
    for u in dirty {
      batch.setState(u.encode(fingerprint: fingerprint), entity: u.id, namespace: namespace)
      u.dirty = false
    }
    for key in changedSources {
      batch.setState(sources[key]!.encoded(), entity: key, namespace: sourceNamespace)
    }
    changedSources.removeAll(keepingCapacity: true)
    batch.setCheckpoint(checkpoint, Array(try JSONEncoder().encode(state)))
    dirty.removeAll(keepingCapacity: true)
    operations.removeAll(keepingCapacity: true)
    try committer.submit(batch, expecting: expectedVersions, offset: report.offset)
    expectedVersions.removeAll(keepingCapacity: true)
    progress?(report)
    if users.count > options.cachedUsers || sources.count > options.cachedUsers {
      try committer.drain()
      users.removeAll()
      sources.removeAll()
    }
  }
}
