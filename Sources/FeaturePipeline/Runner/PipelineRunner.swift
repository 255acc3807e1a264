import FeatureDB
import Foundation

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
/// A run first brings the state in line with rollbacks of the prefix's runs (see
/// ``applyRollbacks()``): after `rollback(.run(R))`, corrected input rerun under the same
/// prefix gives what a clean run gives.
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
  /// How many features each extractor defines (what its `extract` must append).
  let featureCounts: [Int]
  /// Per feature, the indices of the features it is derived from.
  let parents: [[Int]]
  /// The features some feature is derived from, in index order.
  let parentFeatures: [Int]
  let producers: [String]
  let fingerprint: Fingerprint
  /// The state namespace of this pipeline's users (`pipeline:<prefix>`, with the prefix as
  /// applied to names: `pipeline:user.` for the prefix `user`).
  public let namespace: String
  /// The state namespace of the source IP records (`pipeline-ip:<prefix>`).
  let sourceNamespace: String
  /// The prefix as applied to names ("" or ending in ".").
  let prefix: String
  var users: [String: UserState] = [:]
  /// Source IP records read or changed since the cache was last emptied, by store key.
  var sources: [String: SourceRecord] = [:]
  /// What `users` and `sources` hold, as counted at the last commit (see
  /// ``PipelineOptions/stateCacheBytes``).
  var cachedStateBytes = 0
  /// Keys of the source records the batch in hand changed.
  var changedSources: Set<String> = []
  var dirty: [UserState] = []
  /// Writes of the batch in hand (per-event mode, and per-batch mode at the batch's end).
  var operations:
    [(
      feature: Int, user: String, value: FeatureValue, time: Int64, inputs: [LineageInput]
    )] = []
  /// The version number each operation of the batch in hand will get (checked after commit).
  var expectedVersions: [UInt64] = []
  /// Per-batch mode: the pending write of (user, feature) is `pending[user.slot + feature]`.
  var pending: [PendingWrite?] = []
  let committer: Committer
  /// Stops a run from another thread (see ``stop()``).
  public let stopSignal = StopSignal()
  var values: [FeatureValue] = []
  /// The ledger of the prefix's runs, as of the invocation's start (see ``RunLedger``).
  var ledger = RunLedger()
  /// The epoch of the invocation: the ledger's next.
  var runEpoch: UInt64 = 0
  /// The invocation has not committed yet: its first commit writes the ledger.
  var ledgerPending = false
  /// The name prefix of the running run's pre-run records.
  var preRunPrefix = ""
  /// The run may have saved pieces already (an earlier invocation of it committed, or the
  /// cache was emptied since its first commit): look their records up.
  var savedMayExist = false
  /// Source IP records read and not saved by the run yet, with their bytes before it.
  var sourcesBefore: [String: [UInt8]?] = [:]
  /// The input's checkpoint name and bytes as read before the run started.
  var inputCheckpoint: (name: String, bytes: [UInt8]?)?
  /// The input checkpoint's bytes before the run, while its pre-run record is to be written.
  var checkpointBefore: [UInt8]??
  /// What the last run's start did to the pipeline state for rollbacks and undos of the
  /// prefix's runs (nil: nothing); see docs/pipeline.md, *Rollback of a run*.
  public internal(set) var stateRewind: StateRewind?
  var report = PipelineReport(runID: "")
  var qualityCounter: QualityCounter
  /// Quality and drift of the last run, once it has ended (see ``RunQuality``).
  public internal(set) var quality: RunQuality?
  var source = ""
  /// Events dated after this (microseconds) are future events (see
  /// ``PipelineOptions/maxFutureSkew``); set when a run starts.
  var futureLimit = Int64.max
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
  ///   lateness or the maximum future skew is negative, two features get the same name, or a feature is derived from one
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
    guard (options.maxFutureSkew?.microseconds ?? 0) >= 0 else {
      throw PipelineError.invalidConfiguration("the maximum future skew must not be negative")
    }
    self.store = store
    self.extractors = extractors
    self.options = options
    let prefix = applied(options.prefix)
    var names: [String] = []
    var owners: [Int] = []
    var parents: [[Int]] = []
    var counts: [Int] = []
    for (k, e) in extractors.enumerated() {
      let specs = e.features
      let base = names.count
      for (i, f) in specs.enumerated() {
        names.append(prefix + f.name)
        owners.append(k)
        parents.append(
          try f.derivedFrom.map { (p: String) throws(PipelineError) -> Int in
            guard let j = specs[..<i].firstIndex(where: { $0.name == p }) else {
              throw .invalidConfiguration(
                "\(e.producer): \(f.name) is derived from '\(p)', which is not a feature listed before it"
              )
            }
            return base + j
          })
      }
      counts.append(specs.count)
    }
    guard Set(names).count == names.count else {
      throw PipelineError.invalidConfiguration("two extractors define the same feature")
    }
    self.parents = parents
    parentFeatures = Set(parents.joined()).sorted()
    featureCounts = counts
    featureNames = names
    self.prefix = prefix
    extractorOfFeature = owners
    producers = extractors.map(\.producer)
    fingerprint = Fingerprint(extractors: stableHash(producers.joined(separator: "\n")))
    namespace = "pipeline:" + prefix
    sourceNamespace = "pipeline-ip:" + prefix
    committer = Committer(store: store)
    qualityCounter = QualityCounter(features: names, resuming: nil)
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

  var stopping: Bool { stopSignal.requested }

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
}
