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
