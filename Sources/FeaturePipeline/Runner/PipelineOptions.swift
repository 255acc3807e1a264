import FeatureDB

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
  /// How far past ``now`` an event's time may lie (default 1 day; nil: no bound). A later
  /// event is a **future event**: counted (``PipelineReport/futureEvents``), consumed and not
  /// applied, since one event dated years ahead would make every later event of its user too
  /// late.
  public var maxFutureSkew: TimeSpan?
  /// The time future events are measured from; nil (the default): the clock when the run
  /// starts (an invocation resumed later measures from its own start).
  public var now: Timestamp?
  /// How values become versions within a batch (default ``Coalesce/perBatch``).
  public var coalesce: Coalesce
  /// Most events kept per user (default 4,096); see ``EventWindow``.
  public var maxEventsPerUser: Int
  /// `maxVersions` the pipeline's features get: nil (the default) defines new features with
  /// 10 and leaves the retention of existing ones as it is; a number applies to all of them.
  public var maxVersions: Int?
  /// Bytes of decoded user states (and source IP records) kept in memory between batches, as
  /// the runner estimates them (default 256 MiB): when a commit leaves more, the cache is
  /// emptied and states are read back from the store as users come back. A run's memory is
  /// about this plus what one batch holds (see docs/pipeline.md, *Memory*). Extract-only runs
  /// (``persist`` false) keep every state: there is nothing to read back.
  public var stateCacheBytes: Int
  /// When set, bad input lines go to this file (JSON Lines: line, reason, text) and the run
  /// goes on; otherwise the first bad line stops the run.
  public var rejectsPath: String?
  /// False: extract only. Events are read and every feature evaluated, but nothing is written
  /// to the store (no definitions, run, versions, states or checkpoint); for measuring
  /// extraction alone (default true).
  public var persist: Bool
  /// Apply only the events whose user belongs to this shard (``Shard/contains(_:)``); the
  /// others are counted in ``PipelineReport/otherShardEvents`` and not applied. Nil (the
  /// default): every event. A run resumed from its checkpoint must be given the same shard.
  public var shard: Shard?
  /// How many of a prefix's latest runs keep what they found in the state they changed, so
  /// that their rollback can rewind it (default 8, at least 1; see docs/pipeline.md, *Rollback
  /// of a run*). The records of older runs are removed when a later run starts: a rollback of
  /// such a run then rewinds nothing and the next run is refused with
  /// ``PipelineError/rewindRefused(prefix:runs:blocking:reason:)``.
  public var rewindableRuns = 8

  /// Options with the defaults given on each property.
  public init(
    prefix: String = "", runID: String? = nil, batchSize: Int = 1_000,
    lateness: TimeSpan = .minutes(5), maxFutureSkew: TimeSpan? = .days(1), now: Timestamp? = nil,
    coalesce: Coalesce = .perBatch,
    maxEventsPerUser: Int = 4_096, maxVersions: Int? = nil, stateCacheBytes: Int = 256 << 20,
    rejectsPath: String? = nil, persist: Bool = true, shard: Shard? = nil
  ) {
    self.shard = shard
    self.prefix = prefix
    self.runID = runID
    self.batchSize = batchSize
    self.lateness = lateness
    self.maxFutureSkew = maxFutureSkew
    self.now = now
    self.coalesce = coalesce
    self.maxEventsPerUser = maxEventsPerUser
    self.maxVersions = maxVersions
    self.stateCacheBytes = stateCacheBytes
    self.rejectsPath = rejectsPath
    self.persist = persist
  }
}
