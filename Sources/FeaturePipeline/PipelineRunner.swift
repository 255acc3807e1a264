import FeatureDB
import Foundation
import Synchronization

/// How per-event values become versions within a batch.
public enum Coalesce: String, Sendable, CaseIterable {
  /// A version for every changed value at every event.
  case perEvent = "per-event"
  /// Within a batch only the last value per feature and user is written; its lineage inputs
  /// name every event it covers (the default).
  case perBatch = "per-batch"
}

/// How a ``PipelineRunner`` runs. Every property has a default.
public struct PipelineOptions: Sendable {
  /// Prepended to every feature name (a `.` is added unless it ends with one); "" = none.
  public var prefix: String
  /// The run id; default: the one of the checkpoint being resumed, else `pipeline-<time>`.
  public var runID: String?
  /// Input lines (or in-memory events) per transaction (default 1,000).
  public var batchSize: Int
  /// How far behind the user's newest event an event may be and still be placed in its
  /// windows (default 5 minutes); older ones are counted and reported as too late.
  public var lateness: TimeSpan
  /// How values become versions within a batch (default ``Coalesce/perBatch``).
  public var coalesce: Coalesce
  /// Most events kept per user (default 4,096); see ``EventWindow``.
  public var maxEventsPerUser: Int
  /// `maxVersions` the pipeline's features get: nil (the default) defines new features with
  /// 10 and leaves the retention of existing ones as it is; a number applies to all of them.
  public var maxVersions: Int?
  /// Users whose decoded state stays in memory between batches (default 100,000); beyond it
  /// the cache is emptied after a commit and states are read back from the store as needed.
  public var cachedUsers: Int
  /// When set, bad input lines go to this file (JSON Lines: line, reason, text) and the run
  /// goes on; otherwise the first bad line stops the run.
  public var rejectsPath: String?
  /// False: extract only. Events are read and every feature evaluated, but nothing is written
  /// to the store (no definitions, run, versions, states or checkpoint); for measuring
  /// extraction alone (default true).
  public var persist: Bool

  /// Options with the defaults given on each property.
  public init(
    prefix: String = "", runID: String? = nil, batchSize: Int = 1_000,
    lateness: TimeSpan = .minutes(5), coalesce: Coalesce = .perBatch,
    maxEventsPerUser: Int = 4_096, maxVersions: Int? = nil, cachedUsers: Int = 100_000,
    rejectsPath: String? = nil, persist: Bool = true
  ) {
    self.prefix = prefix
    self.runID = runID
    self.batchSize = batchSize
    self.lateness = lateness
    self.coalesce = coalesce
    self.maxEventsPerUser = maxEventsPerUser
    self.maxVersions = maxVersions
    self.cachedUsers = cachedUsers
    self.rejectsPath = rejectsPath
    self.persist = persist
  }
}

/// What a run did (totals since the run began, resumed parts included).
public struct PipelineReport: Sendable, Hashable, Codable {
  /// The run the versions are written under.
  public var runID: String
  /// Events read (valid ones, too-late ones included).
  public var events: Int = 0
  /// Versions written.
  public var versions: Int = 0
  /// Events older than the user's newest but within the lateness: placed in their windows.
  public var lateEvents: Int = 0
  /// Events beyond the lateness: counted here, not applied.
  public var tooLateEvents: Int = 0
  /// Ids of the first 100 too-late events.
  public var tooLateEventIDs: [String] = []
  /// Bad lines skipped (with a rejects file).
  public var rejected: Int = 0
  /// Transactions committed.
  public var batches: Int = 0
  /// Input position after the last committed event (bytes for files, events for the API).
  public var offset: UInt64 = 0
  /// Next input line.
  public var line: Int = 1
  /// Where this invocation started reading.
  public var startOffset: UInt64 = 0
  /// The run was stopped by ``PipelineRunner/stop()`` (SIGINT in `fdb`) before the end of
  /// its input: the batch in hand was committed and the run recorded as failed with metadata
  /// `interrupted: true`; running again resumes after it.
  public var interrupted = false

  /// An empty report of run `runID` (every total 0, next line 1).
  public init(runID: String) { self.runID = runID }
}

/// The checkpoint stored (as JSON) with every batch: the input's identity, the position after
/// the batch, the run and its totals.
struct Checkpoint: Codable {
  var path: String
  var device: UInt64
  var inode: UInt64
  var report: PipelineReport
  /// Quality counts of the run so far (absent in checkpoints written before they existed).
  var quality: [FeatureQuality]?
}

/// Turns behaviour events into feature versions, exactly once.
///
/// ```swift
/// let db = try FeatureStore(path: "features.fdb")
/// let runner = try PipelineRunner(store: db, options: PipelineOptions(prefix: "user", runID: "r1"))
/// let report = try runner.run(file: "events.jsonl")   // resumes from its checkpoint
/// print(report.events, report.versions)
/// ```
///
/// Per event, every feature of the event's user is evaluated as of the event's time and the
/// changed values are written with that time as their event time, producer
/// `extractor@version`, the run, the input as source and the event id as input. Each batch's
/// versions, the states of its users and the input checkpoint commit in one transaction, so a
/// run killed at any moment and started again writes exactly what an uninterrupted run would.
///
/// - Warning: Not thread-safe: drive one runner from one thread. The features it writes should
///   have no other writer.
public final class PipelineRunner {
  /// The store the runner reads user states and checkpoints from and writes to.
  public let store: FeatureStore
  /// The extractors, in the order their features are evaluated and named.
  public let extractors: [any FeatureExtractor]
  /// The options the runner was made with.
  public let options: PipelineOptions
  /// Prefixed feature names, in extractor order.
  public let featureNames: [String]
  let extractorOfFeature: [Int]
  /// Per feature, the indices of the features it is derived from.
  let parents: [[Int]]
  let producers: [String]
  let fingerprint: Fingerprint
  /// The state namespace of this pipeline's users (`pipeline:<prefix>`, with the prefix as
  /// applied to names: `pipeline:user.` for the prefix `user`).
  public let namespace: String
  /// The prefix as applied to names ("" or ending in ".").
  let prefix: String
  private var users: [String: UserState] = [:]
  /// Source IP records read or changed since the cache was last emptied, by store key.
  private var sources: [String: SourceRecord] = [:]
  /// Keys of the source records the batch in hand changed.
  private var changedSources: Set<String> = []
  private var dirty: [UserState] = []
  /// Writes of the batch in hand (per-event mode, and per-batch mode at the batch's end).
  private var operations:
    [(
      feature: Int, user: String, value: FeatureValue, time: Int64, ids: [String],
      parents: [LineageInput]
    )] = []
  /// The version number each operation of the batch in hand will get (checked after commit).
  private var expectedVersions: [UInt64] = []
  /// Per-batch mode: the pending write of (user, feature) is `pending[user.slot + feature]`.
  private var pending: [PendingWrite?] = []
  private let committer: Committer
  /// Stops a run from another thread (see ``stop()``).
  public let stopSignal = StopSignal()
  private var values: [FeatureValue] = []
  private var report = PipelineReport(runID: "")
  private var qualityCounter: QualityCounter
  /// Quality and drift of the last run, once it has ended (see ``RunQuality``).
  public private(set) var quality: RunQuality?
  private var source = ""
  /// Called (on the runner's thread) after every batch is handed to the commit, with the
  /// totals so far.
  public var progress: ((PipelineReport) -> Void)?
  /// Called on the commit thread after each batch is durable, with the input position after it
  /// (``PipelineReport/offset``): what streaming callers wait on.
  public var committed: (@Sendable (UInt64) -> Void)? {
    get { committer.committed }
    set { committer.committed = newValue }
  }

  /// A runner of `extractors` (default: every built-in one) over `store`. Nothing is read or
  /// written until a run starts; the features are defined then.
  ///
  /// - Throws: ``PipelineError/invalidConfiguration(_:)`` when the batch size is below 1, the
  ///   lateness is negative, two features get the same name, or a feature is derived from one
  ///   that is not listed before it in its extractor.
  public init(
    store: FeatureStore, extractors: [any FeatureExtractor] = BuiltinExtractors.all,
    options: PipelineOptions = PipelineOptions()
  ) throws {
    guard options.batchSize >= 1 else {
      throw PipelineError.invalidConfiguration("batch size must be at least 1")
    }
    guard options.lateness.microseconds >= 0 else {
      throw PipelineError.invalidConfiguration("lateness must not be negative")
    }
    self.store = store
    self.extractors = extractors
    self.options = options
    let prefix = applied(options.prefix)
    var names: [String] = []
    var owners: [Int] = []
    for (k, e) in extractors.enumerated() {
      for f in e.features {
        names.append(prefix + f.name)
        owners.append(k)
      }
    }
    guard Set(names).count == names.count else {
      throw PipelineError.invalidConfiguration("two extractors define the same feature")
    }
    var parents: [[Int]] = []
    var base = 0
    for e in extractors {
      for (i, f) in e.features.enumerated() {
        parents.append(
          try f.derivedFrom.map { (p: String) throws(PipelineError) -> Int in
            guard let j = e.features[..<i].firstIndex(where: { $0.name == p }) else {
              throw .invalidConfiguration(
                "\(e.producer): \(f.name) is derived from '\(p)', which is not a feature listed before it"
              )
            }
            return base + j
          })
      }
      base += e.features.count
    }
    self.parents = parents
    featureNames = names
    self.prefix = prefix
    extractorOfFeature = owners
    producers = extractors.map(\.producer)
    fingerprint = Fingerprint(
      extractors: stableHash(producers.joined(separator: "\n")),
      features: stableHash(names.joined(separator: "\n")))
    namespace = "pipeline:" + prefix
    committer = Committer(store: store)
    qualityCounter = QualityCounter(features: names)
    values.reserveCapacity(names.count)
  }

  /// The size of `user`'s stored state and the number of events in its window, or nil when
  /// the user has none (for measuring what state costs). Throws store errors and
  /// ``PipelineError/corruptState(_:)`` when the state does not decode.
  public func storedState(of user: String) throws -> (bytes: Int, windowEvents: Int)? {
    guard let bytes = try store.state(entity: user, namespace: namespace) else { return nil }
    let state = try UserState(
      id: user, bytes: bytes, extractors: extractors, featureCount: featureNames.count,
      fingerprint: fingerprint)
    return (bytes.count, state.window.count)
  }

  /// Asks a running ``run(file:)`` or ``run(events:input:)`` to stop after the line in hand:
  /// it commits what it has read (a shorter last batch) and returns with
  /// ``PipelineReport/interrupted`` set. Safe from any thread or a signal handler's queue.
  /// A stop asked for before a run starts is cleared when it starts.
  public func stop() { stopSignal.stop() }

  private var stopping: Bool { stopSignal.requested }

  /// The retention new pipeline features get when ``PipelineOptions/maxVersions`` is nil.
  public static let defaultMaxVersions = 10

  /// Defines the extractors' features that are not defined yet; with
  /// ``PipelineOptions/maxVersions`` set, also applies it to those that are.
  public func defineFeatures() throws {
    for e in extractors {
      for f in e.features {
        let name = prefix + f.name
        if let existing = try store.feature(name) {
          guard let n = options.maxVersions, n != existing.maxVersions else { continue }
          var changed = existing
          changed.maxVersions = n
          try store.define(changed)
        } else {
          try store.define(
            FeatureDefinition(
              name, type: f.type, maxVersions: options.maxVersions ?? Self.defaultMaxVersions,
              description: f.description, owner: e.producer, tags: ["pipeline"]))
        }
      }
    }
  }

  // MARK: - Inputs

  /// Runs over a JSON Lines file (or `-` for stdin, which is not resumed), resuming from this
  /// file's checkpoint.
  ///
  /// - Throws: ``PipelineError/badEvent(line:reason:)`` for a bad line (nothing of its batch is
  ///   committed; the checkpoint stays before it), ``PipelineError/checkpointMismatch(_:)`` when
  ///   the checkpoint names another file at this path, ``PipelineError/io(_:)`` when the file
  ///   (or the rejects file) cannot be opened, read or seeked,
  ///   ``PipelineError/corruptState(_:)`` for a checkpoint or state that does not decode,
  ///   ``PipelineError/invalidConfiguration(_:)`` when another writer wrote the pipeline's
  ///   features, store errors.
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
    var resumed: Checkpoint?
    if !stdin, let bytes = try store.checkpoint(name) {
      let c = try decodeCheckpoint(bytes)
      guard c.device == identity.device, c.inode == identity.inode else {
        throw PipelineError.checkpointMismatch(
          "\(path) is another file than the one checkpointed (device/inode \(c.device)/\(c.inode)); "
            + "use another --prefix or remove the store's pipeline state")
      }
      resumed = c
    }
    try start(resumed, source: absolute)
    if let c = resumed, lseek(fd, off_t(c.report.offset), SEEK_SET) < 0 {
      throw PipelineError.io("cannot seek \(path) to \(c.report.offset)")
    }
    var reader = JSONLinesReader(fd: fd, offset: report.offset, line: report.line)
    let decoder = EventDecoder()
    let rejects = try RejectsFile(options.rejectsPath)
    var inBatch = 0
    return try finishing {
      while let (bytes, line, end) = try reader.next() {
        inBatch += 1
        if !bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) {
          do {
            try process(try decoder.decode(bytes, line: line))
          } catch let PipelineError.badEvent(line, reason) where rejects != nil {
            try rejects!.write(line: line, reason: reason, text: bytes)
            report.rejected += 1
          }
        }
        report.offset = end
        report.line = line + 1
        if inBatch == options.batchSize {
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
  ///   pipeline's features, store errors.
  public func run<S: Sequence<BehaviorEvent>>(events: S, input: String) throws -> PipelineReport {
    let name = checkpointName(input)
    let resumed = try store.checkpoint(name).map(decodeCheckpoint)
    try start(resumed, source: input)
    var inBatch = 0
    return try finishing {
      for (index, event) in events.enumerated() where UInt64(index) >= report.offset {
        try process(event)
        report.offset = UInt64(index + 1)
        inBatch += 1
        if inBatch == options.batchSize {
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

  /// The name of the checkpoint kept for `input` (a path or an API input name):
  /// `pipeline:<prefix>:<input>`, with a hash of `input` instead when that exceeds 400 bytes.
  public func checkpointName(_ input: String) -> String {
    var name = "pipeline:\(namespace.dropFirst("pipeline:".count)):\(input)"
    if name.utf8.count > 400 {
      name = "pipeline:\(namespace):#\(String(stableHash(input), radix: 16))"
    }
    return name
  }

  private func decodeCheckpoint(_ bytes: [UInt8]) throws -> Checkpoint {
    do { return try JSONDecoder().decode(Checkpoint.self, from: Data(bytes)) } catch {
      throw PipelineError.corruptState("checkpoint: \(error)")
    }
  }

  // MARK: - Run lifecycle

  private func start(_ checkpoint: Checkpoint?, source: String) throws {
    let resumed = checkpoint?.report
    let runID =
      options.runID ?? resumed?.runID
      ?? "pipeline-\(Timestamp.now.iso8601.filter { $0 != ":" && $0 != "-" })"
    report = resumed ?? PipelineReport(runID: runID)
    report.runID = runID
    report.interrupted = false
    stopSignal.reset()
    report.startOffset = report.offset
    self.source = source
    users.removeAll()
    sources.removeAll()
    quality = nil
    qualityCounter = QualityCounter(features: featureNames, resuming: checkpoint?.quality)
    guard options.persist else { return }
    try defineFeatures()
    if try store.run(runID) == nil {
      try store.beginRun(
        Run(
          id: runID, name: "pipeline",
          parameters: [
            "input": source, "prefix": options.prefix,
            "extractors": producers.joined(separator: ","),
            "batch": String(options.batchSize), "coalesce": options.coalesce.rawValue,
            "lateness": options.lateness.description,
          ],
          codeVersion: "FeaturePipeline@\(FeatureStore.version)",
          host: ProcessInfo.processInfo.hostName))
    }
  }

  private func finishing(_ body: () throws -> Void) throws -> PipelineReport {
    do {
      try body()
      try committer.drain()
    } catch {
      try? committer.drain()
      pending.removeAll()
      expectedVersions.removeAll()
      users.removeAll()  // in-memory states may hold uncommitted events
      sources.removeAll()
      changedSources.removeAll()
      dirty.removeAll()
      operations.removeAll()
      guard options.persist else { throw error }
      try? store.finishRun(
        report.runID, status: .failed, metadata: metadata(["error": "\(error)"]))
      throw error
    }
    guard options.persist else { return report }
    try recordQuality()
    try store.finishRun(
      report.runID, status: report.interrupted ? .failed : .succeeded,
      metadata: metadata(["interrupted": String(report.interrupted)]))
    return report
  }

  /// Stores the run's quality with the drift against its baseline (see ``RunQuality``).
  private func recordQuality() throws {
    guard let run = try store.run(report.runID) else { return }
    let measured = try RunQuality.measure(
      run: run, features: qualityCounter.snapshot, prefix: prefix, in: store)
    var batch = WriteBatch()
    batch.setState(
      try measured.encoded(), entity: run.id, namespace: RunQuality.namespace(prefix: prefix))
    try store.commit(batch)
    quality = measured
  }

  private func metadata(_ extra: [String: String]) -> [String: String] {
    var m = extra
    m["events"] = String(report.events)
    m["versions"] = String(report.versions)
    m["late_events"] = String(report.lateEvents)
    m["too_late_events"] = String(report.tooLateEvents)
    m["rejected"] = String(report.rejected)
    m["offset"] = String(report.offset)
    m["input"] = source
    return m
  }

  // MARK: - Events

  private func user(_ id: String) throws -> UserState {
    if let u = users[id] { return u }
    var loaded: UserState?
    if options.persist, let bytes = try store.state(entity: id, namespace: namespace) {
      let u = try UserState(
        id: id, bytes: bytes, extractors: extractors, featureCount: featureNames.count,
        fingerprint: fingerprint)
      // What the store serves now (a rollback since may have retracted what was written).
      u.last = try store.read { try $0.latest(features: featureNames, entity: id) }
      loaded = u
    }
    let u = loaded ?? UserState(id: id, extractors: extractors, featureCount: featureNames.count)
    users[id] = u
    return u
  }

  /// The record of the source IP `key` (see ``SourceRecord/key(_:)``).
  private func source(_ key: String) throws -> SourceRecord {
    if let r = sources[key] { return r }
    var r = SourceRecord()
    if options.persist, let bytes = try store.state(entity: key, namespace: sourceNamespace) {
      r = try SourceRecord(decoding: bytes)
    }
    sources[key] = r
    return r
  }

  /// The state namespace of the source IP records (`pipeline-ip:<prefix>`).
  private var sourceNamespace: String { "pipeline-ip:" + prefix }

  /// Counts the event's result against its source IP; returns the IP's record.
  private func countSource(_ event: BehaviorEvent, _ record: EventRecord) throws -> SourceRecord {
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
    let u = try user(event.userID)
    report.events += 1
    let record = EventRecord(event)
    let t = record.time
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
    if !u.dirty {
      u.dirty = true
      dirty.append(u)
    }
  }

  private func evaluate(
    _ u: UserState, _ event: BehaviorEvent, _ source: SourceRecord, at t: Int64
  ) {
    values.removeAll(keepingCapacity: true)
    let context = ExtractionContext(
      time: Timestamp(microseconds: t), event: event, window: u.window,
      end: u.window.end(atOrBefore: t), source: source)
    for k in extractors.indices {
      let before = values.count
      u.states[k].extract(context, into: &values)
      precondition(
        values.count - before == extractors[k].features.count,
        "\(producers[k]) appended \(values.count - before) values for \(extractors[k].features.count) features"
      )
    }
    qualityCounter.add(values)
  }

  /// Writes (or holds for the batch) the values of ``values``: changed ones (and those that
  /// differ from `other`, the values just written at a late event's time), or all of them at
  /// a late event's own time (the store's value as of then is not known here).
  private func emit(
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
      var ids: [String]? = nil  // one array shared by this event's writes
      for (f, v) in values.enumerated()
      where !onlyChanged || last[f] != v || other.map({ $0[f] != v }) == true {
        if ids == nil { ids = [event.eventID] }
        appendOperation(u, f, v, t, ids!, parentVersions: { u.versions[$0] })
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

  /// Appends a write of feature `f` for `u`, counting its version and naming the current
  /// versions of the features it is derived from (`parentVersions` gives them).
  private func appendOperation(
    _ u: UserState, _ f: Int, _ value: FeatureValue, _ time: Int64, _ ids: [String],
    parentVersions: (Int) -> UInt64
  ) {
    var inputs: [LineageInput] = []
    for q in parents[f] {
      let v = parentVersions(q)
      if v > 0 { inputs.append(.version(featureNames[q], u.id, v)) }
    }
    u.versions[f] += 1
    expectedVersions.append(u.versions[f])
    operations.append((f, u.id, value, time, ids, inputs))
  }

  /// Ends the batch in hand: builds its write batch (versions with lineage, the touched users'
  /// states, the checkpoint) and hands it to the committer, which commits it while the next
  /// batch is processed. Commits happen one at a time, in order.
  private func commit(_ checkpoint: String, _ identity: (device: UInt64, inode: UInt64)) throws {
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

/// Commits write batches on its own thread, one at a time and in order, so the runner can
/// parse and extract the next batch meanwhile. The first error is kept and rethrown to the
/// runner at its next ``submit(_:)`` or ``drain()``; the runner then stops (the batches
/// after a failed one are never committed: each waits for the previous).
final class Committer: @unchecked Sendable {
  // Safety: `error` is read and written only under `lock`; the store is Sendable.
  private let store: FeatureStore
  private let queue = DispatchQueue(label: "FeaturePipeline.commit")
  private let slot = DispatchSemaphore(value: 1)
  private let lock = NSLock()
  private var error: (any Error)?
  /// See ``PipelineRunner/committed``; set only while no commit is in flight.
  var committed: (@Sendable (UInt64) -> Void)?

  init(store: FeatureStore) { self.store = store }

  /// Waits for the previous commit, then starts committing `batch`, whose operations must get
  /// the version numbers `expected` (the runner counts them to name parent versions; another
  /// writer of the same features would break that, and the run stops).
  func submit(_ batch: WriteBatch, expecting expected: [UInt64], offset: UInt64) throws {
    slot.wait()
    if let e = takeError() {
      slot.signal()
      throw e
    }
    queue.async { [store, slot, committed] in
      do {
        let refs = try store.commit(batch)
        if let i = refs.indices.first(where: { refs[$0].version != expected[$0] }) {
          throw PipelineError.invalidConfiguration(
            "\(refs[i]) was expected to be version \(expected[i]): another writer writes the pipeline's features"
          )
        }
        committed?(offset)
      } catch {
        self.lock.withLock { if self.error == nil { self.error = error } }
      }
      slot.signal()
    }
  }

  /// Waits until every submitted batch has committed (or failed: then throws its error).
  func drain() throws {
    slot.wait()
    defer { slot.signal() }
    if let e = takeError() { throw e }
  }

  private func takeError() -> (any Error)? {
    lock.withLock {
      defer { error = nil }
      return error
    }
  }
}

/// The rejects file of `--skip-bad-events`: one JSON object per bad line.
final class RejectsFile {
  let handle: FileHandle

  init?(_ path: String?) throws {
    guard let path else { return nil }
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    guard let h = FileHandle(forWritingAtPath: path) else {
      throw PipelineError.io("cannot open rejects file \(path)")
    }
    h.seekToEndOfFile()
    handle = h
  }

  func write(line: Int, reason: String, text: ArraySlice<UInt8>) throws {
    struct Reject: Encodable {
      var line: Int
      var reason: String
      var text: String
    }
    var data = try JSONEncoder().encode(
      Reject(line: line, reason: reason, text: String(decoding: text, as: UTF8.self)))
    data.append(10)
    handle.write(data)
  }
}
