import FeatureDB
import Foundation

/// One event: its user's state, the source IP record, evaluation and the writes it causes.
extension PipelineRunner {

  func user(_ id: String) throws -> UserState {
    if let u = users[id] { return u }
    // The state, the latest values the store serves and the version numbers it holds, in one
    // read transaction (a rollback since the state was written may have retracted what the
    // pipeline wrote; another writer of its features, or a run stopped by one, may have left
    // other numbers than the state counts: counting on from the store's never stops a run).
    let u: UserState =
      options.persist
      ? try store.read { s in
        let bytes = try s.state(entity: id, namespace: namespace)
        let u =
          try bytes.map {
            try UserState(
              id: id, bytes: $0, extractors: extractors, featureCount: featureNames.count,
              fingerprint: fingerprint)
          } ?? UserState(id: id, extractors: extractors, featureCount: featureNames.count)
        u.last = try s.latest(features: featureNames, entity: id)
        u.versions = try s.highestVersions(features: featureNames, entity: id)
        // The versions derived ones name: the ones the store serves, which after a rollback
        // are older than the highest numbers.
        for q in parentFeatures {
          u.current[q] =
            u.versions[q] == 0 ? 0 : try s.latestVersion(featureNames[q], id)?.version ?? 0
        }
        // What the run found, kept until its first commit that changes the user saves it.
        if try !saved(.user, id, in: s) {
          u.unsaved = true
          u.preRun = bytes
        }
        return u
      } : UserState(id: id, extractors: extractors, featureCount: featureNames.count)
    users[id] = u
    return u
  }

  /// The record of the source IP `key` (see ``SourceRecord/key(_:)``).
  func source(_ key: String) throws -> SourceRecord {
    if let r = sources[key] { return r }
    var r = SourceRecord()
    if options.persist {
      let bytes = try store.state(entity: key, namespace: sourceNamespace)
      if let bytes { r = try SourceRecord(decoding: bytes) }
      if try !saved(.source, key) { sourcesBefore[key] = .some(bytes) }
    }
    sources[key] = r
    cachedStateBytes += SourceRecord.estimatedBytes(key: key)
    return r
  }

  /// Counts the event's result against its source IP; returns the IP's record.
  func countSource(_ event: BehaviorEvent, _ record: EventRecord) throws -> SourceRecord {
    guard let ip = event.data["source_ip"]?.string, !ip.isEmpty else { return SourceRecord() }
    let key = SourceRecord.key(ip)
    var r = try source(key)
    guard record.failed || record.succeeded else { return r }
    if record.failed { r.failures += 1 } else { r.successes += 1 }
    sources[key] = r
    changedSources.insert(key)
    return r
  }

  /// Applies one event to its user's state and collects the writes it causes.
  func process(_ event: BehaviorEvent) throws {
    if let shard = options.shard, !shard.contains(event.userID) {
      report.otherShardEvents += 1
      return
    }
    report.events += 1
    let record = EventRecord(event)
    let t = record.time
    if t > futureLimit {
      report.futureEvents += 1
      if report.futureEventIDs.count < 100 { report.futureEventIDs.append(event.eventID) }
      return
    }
    let u = try user(event.userID)
    if u.newest != .min, t < u.newest - options.lateness.microseconds {
      report.tooLateEvents += 1
      if report.tooLateEventIDs.count < 100 { report.tooLateEventIDs.append(event.eventID) }
      return
    }
    let late = t < u.newest
    if late { report.lateEvents += 1 }
    if !u.dirty {
      u.dirty = true
      u.slot = pending.count
      u.batchEvents.removeAll(keepingCapacity: true)
      if options.coalesce == .perBatch {
        pending.append(contentsOf: repeatElement(nil, count: featureNames.count))
      }
      dirty.append(u)
    }
    u.batchEvents.append(event.eventID)
    u.window.insert(record, capacity: options.maxEventsPerUser)
    for slot in u.states { slot.update(event, record) }
    let source = try countSource(event, record)
    evaluate(u, event, source, at: t)
    emit(u, event, at: t, onlyChanged: !late)
    if late {
      // The newest values now count the late event too. A value written at the late time may
      // now be the newest version of its feature, so one that differs from it is written
      // again at the newest time even when it did not change.
      let atLate = values
      evaluate(u, event, source, at: u.newest)
      emit(u, event, at: u.newest, onlyChanged: true, orDifferingFrom: atLate)
    }
    u.newest = max(u.newest, t)
    u.window.evict(
      atOrBefore: u.newest - TimeSpan.days(7).microseconds - options.lateness.microseconds)
  }

  func evaluate(
    _ u: UserState, _ event: BehaviorEvent, _ source: SourceRecord, at t: Int64
  ) {
    values.removeAll(keepingCapacity: true)
    u.window.move(to: t)
    let context = ExtractionContext(
      time: Timestamp(microseconds: t), event: event, window: u.window,
      end: u.window.end(atOrBefore: t), source: source)
    for k in extractors.indices {
      let before = values.count
      u.states[k].extract(context, into: &values)
      precondition(
        values.count - before == featureCounts[k],
        "\(producers[k]) appended \(values.count - before) values for \(featureCounts[k]) features"
      )
    }
    qualityCounter.add(values)
  }

  /// Writes (or holds for the batch) the values of ``values``: changed ones (and those that
  /// differ from `other`, the values just written at a late event's time), or all of them at
  /// a late event's own time (the store's value as of then is not known here).
  func emit(
    _ u: UserState, _ event: BehaviorEvent, at t: Int64, onlyChanged: Bool,
    orDifferingFrom other: [FeatureValue]? = nil
  ) {
    // Local copies, uniquely referenced while the loop changes them (no copy-on-write check
    // or exclusivity check per feature).
    var last = u.last
    u.last = []
    defer { u.last = last }
    switch options.coalesce {
    case .perEvent:
      let inputs: [LineageInput] = [.raw(event.eventID)]  // shared by this event's writes
      for (f, v) in values.enumerated()
      where !onlyChanged || last[f] != v || other.map({ $0[f] != v }) == true {
        appendOperation(u, f, v, t, inputs, parentVersions: { u.current[$0] })
        if onlyChanged { last[f] = v }
      }
    case .perBatch:
      let current = Int32(u.batchEvents.count - 1)
      let slot = u.slot
      var pending = self.pending
      self.pending = []
      defer { self.pending = pending }
      for (f, v) in values.enumerated()
      where !onlyChanged || last[f] != v || other.map({ $0[f] != v }) == true {
        let i = slot + f
        if pending[i] == nil {
          pending[i] = PendingWrite(
            value: v, eventTime: t, from: current, upto: current, force: !onlyChanged,
            before: last[f])
        } else if t >= pending[i]!.eventTime {
          pending[i]!.value = v
          pending[i]!.eventTime = t
          pending[i]!.upto = current
          pending[i]!.force = !onlyChanged
        }
        if onlyChanged { last[f] = v }
      }
    }
  }

  /// Appends a write of feature `f` for `u`, counting its version; its lineage inputs are the
  /// current versions of the features it is derived from (`parentVersions` gives them: the
  /// latest the store serves, or the run's own), then
  /// `events` (the raw inputs of the events it covers).
  func appendOperation(
    _ u: UserState, _ f: Int, _ value: FeatureValue, _ time: Int64, _ events: [LineageInput],
    parentVersions: (Int) -> UInt64
  ) {
    var inputs = events
    if !parents[f].isEmpty {
      inputs =
        parents[f].compactMap { q in
          let v = parentVersions(q)
          return v > 0 ? .version(featureNames[q], u.id, v) : nil
        } + events
    }
    u.versions[f] += 1
    u.current[f] = u.versions[f]
    expectedVersions.append(u.versions[f])
    operations.append((f, u.id, value, time, inputs))
  }
}
