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
  /// Events dated more than ``PipelineOptions/maxFutureSkew`` after ``PipelineOptions/now``:
  /// counted here, not applied.
  public var futureEvents: Int = 0
  /// Ids of the first 100 future events.
  public var futureEventIDs: [String] = []
  /// Events of users in other shards than ``PipelineOptions/shard``: counted here, not
  /// applied (and not counted in ``events``).
  public var otherShardEvents: Int = 0
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

  private enum CodingKeys: String, CodingKey {
    case runID, events, versions, lateEvents, tooLateEvents, tooLateEventIDs, futureEvents
    case futureEventIDs, rejected, batches, offset, line, startOffset, interrupted
    case otherShardEvents
  }

  /// Decodes a report as stored in a checkpoint; the future-event and other-shard counts may be
  /// absent (a checkpoint written before they existed) and then start at 0.
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    runID = try c.decode(String.self, forKey: .runID)
    events = try c.decode(Int.self, forKey: .events)
    versions = try c.decode(Int.self, forKey: .versions)
    lateEvents = try c.decode(Int.self, forKey: .lateEvents)
    tooLateEvents = try c.decode(Int.self, forKey: .tooLateEvents)
    tooLateEventIDs = try c.decode([String].self, forKey: .tooLateEventIDs)
    futureEvents = try c.decodeIfPresent(Int.self, forKey: .futureEvents) ?? 0
    futureEventIDs = try c.decodeIfPresent([String].self, forKey: .futureEventIDs) ?? []
    otherShardEvents = try c.decodeIfPresent(Int.self, forKey: .otherShardEvents) ?? 0
    rejected = try c.decode(Int.self, forKey: .rejected)
    batches = try c.decode(Int.self, forKey: .batches)
    offset = try c.decode(UInt64.self, forKey: .offset)
    line = try c.decode(Int.self, forKey: .line)
    startOffset = try c.decode(UInt64.self, forKey: .startOffset)
    interrupted = try c.decode(Bool.self, forKey: .interrupted)
  }
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
