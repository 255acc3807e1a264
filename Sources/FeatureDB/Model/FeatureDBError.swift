/// Every error the engine throws; each message names what went wrong and where.
public enum FeatureDBError: Error, Hashable, Sendable, CustomStringConvertible {
  /// No feature of this name is defined.
  case unknownFeature(String)
  /// The feature name breaks the naming rule.
  case invalidFeatureName(String, reason: String)
  /// `define` was called for an existing feature with another type.
  case featureTypeConflict(feature: String, existing: ValueType, requested: ValueType)
  /// A definition setting is invalid (negative maxVersions, ttl ≤ 0, unsupported encoding…).
  case invalidDefinition(feature: String, reason: String)
  /// The entity id is empty or too long.
  case invalidEntity(String, reason: String)
  /// The value does not have the feature's type.
  case typeMismatch(feature: String, entity: String, expected: ValueType, got: ValueType)
  /// The value has the right type but is not acceptable (NaN, wrong dims…).
  case invalidValue(feature: String, entity: String, reason: String)
  /// A time outside 0001-01-01 … 9999-12-31.
  case timeOutOfRange(String, Timestamp)
  /// A read at this time needs versions that max-version pruning removed.
  case historyPruned(feature: String, entity: String, removed: Int)
  /// A read at this time needs versions that vacuum removed after they expired.
  case historyVacuumed(feature: String, entity: String, removed: Int)
  /// The path exists but is not a FeatureDB store.
  case notAStore(path: String, reason: String)
  /// The store was written by a newer format version than this build reads.
  case newerFormat(path: String, found: UInt32, supported: UInt32)
  /// The operating system refused access to the path.
  case permissionDenied(path: String, detail: String)
  /// The store was opened read-only and a write was attempted.
  case readOnly(path: String)
  /// The map reached its configured maximum size.
  case storeFull(path: String, mapSize: Int)
  /// A stored record failed to decode.
  case corruptRecord(feature: String, entity: String, version: UInt64?, detail: String)
  /// Another internal table holds bytes that do not decode.
  case corruptStore(table: String, detail: String)
  /// The store's data file is empty, truncated or structurally damaged; nothing was changed.
  case damagedStore(path: String, detail: String)
  /// The file system holding the store is full; the operation wrote nothing.
  case noSpace(path: String, operation: String)
  /// An LMDB call failed.
  case storage(operation: String, code: LMDBError)
  /// An argument is not acceptable (described in the message).
  case invalidArgument(String)
  /// A CSV input is malformed or holds a bad value; names file, line and column.
  case badCSV(CSVError)
  /// No such version: it was never written (a lineage input, a rollback target, a lineage query).
  case unknownVersion(feature: String, entity: String, version: UInt64, detail: String)
  /// A lineage input names a version that was not committed before the write: the version being
  /// written itself, or one that a later operation of the same batch writes (so that no write
  /// can make a lineage cycle). `input` is the input as given, `version` the version naming it.
  case inputNotCommitted(input: VersionRef, version: VersionRef, reason: String)
  /// No run of this id.
  case unknownRun(String)
  /// No feature group of this name.
  case unknownGroup(String)
  /// No operation of this id in the operations log.
  case unknownOperation(UInt64)
  /// The operation was undone already (or is an undo, which cannot be undone).
  case cannotUndo(operation: UInt64, reason: String)
  /// A rollback (its form, as the operations log names it) selects no version: nothing was
  /// recorded.
  case nothingToRollBack(String)
  /// Operation `operation` (`what`, e.g. "rollback of run r1") is recorded and in force, but
  /// marking it on the chains stopped (`cause`); the next rollback or undo finishes it.
  case operationUnfinished(operation: UInt64, what: String, cause: String)
  /// An export needs history that pruning or vacuum removed, in this many cells; `first` names
  /// the first few (feature, entity, event time).
  case exportNeedsRemovedHistory(cells: Int, first: [MissingHistoryCell])
  /// Another writer holds this run or checkpoint (``FeatureStore/claiming(_:_:)``): a pipeline
  /// is writing it, or a rollback of it is under way. Nothing was written.
  case resourceBusy(String)
  /// A shard given as `k/N` is malformed or out of range (see ``Shard``).
  case invalidShard(String, reason: String)
  /// An output directory exists and holds files; the operation writes only into a new or
  /// empty one.
  case outputNotEmpty(path: String)
  /// A change-feed cursor older than the feed retains: the changes after `after` up to
  /// `oldest` − 1 were trimmed (or predate the feed). Take a snapshot and follow the feed from
  /// the sequence number it was taken at; never a silent gap.
  case changesTrimmed(after: UInt64, oldest: UInt64)

  /// A message for people that names what is concerned: the feature, entity, path or value.
  public var description: String {
    switch self {
    case .unknownFeature(let name): "unknown feature '\(name)'"
    case .invalidFeatureName(let name, let reason): "invalid feature name '\(name)': \(reason)"
    case .featureTypeConflict(let f, let existing, let requested):
      "feature '\(f)' is already defined as \(existing); cannot redefine it as \(requested)"
    case .invalidDefinition(let f, let reason): "invalid definition of feature '\(f)': \(reason)"
    case .invalidEntity(let e, let reason): "invalid entity id '\(shown(e))': \(reason)"
    case .typeMismatch(let f, let e, let expected, let got):
      "feature '\(f)' entity '\(shown(e))': expected a value of type \(expected), got \(got)"
    case .invalidValue(let f, let e, let reason): "feature '\(f)' entity '\(shown(e))': \(reason)"
    case .timeOutOfRange(let what, let t):
      "\(what) \(t.microseconds)µs is outside 0001-01-01T00:00:00Z…9999-12-31T23:59:59.999999Z"
    case .historyPruned(let f, let e, let n):
      "feature '\(f)' entity '\(shown(e))': the answer needs history removed by max-version pruning (\(n) versions pruned)"
    case .historyVacuumed(let f, let e, let n):
      "feature '\(f)' entity '\(shown(e))': the answer needs history removed by vacuum (\(n) expired versions removed)"
    case .notAStore(let path, let reason): "\(path) is not a FeatureDB store: \(reason)"
    case .newerFormat(let path, let found, let supported):
      "\(path) has format version \(found); this build reads up to \(supported): upgrade FeatureDB"
    case .permissionDenied(let path, let detail): "\(path): permission denied (\(detail))"
    case .readOnly(let path): "\(path) is open read-only; writes are not allowed"
    case .storeFull(let path, let size):
      "\(path) is full: the map reached its maximum of \(size) bytes; vacuum, prune or raise maxMapSize"
    case .corruptRecord(let f, let e, let v, let detail):
      "corrupt record: feature '\(f)' entity '\(shown(e))'\(v.map { " version \($0)" } ?? ""): \(detail)"
    case .corruptStore(let table, let detail): "corrupt store: table '\(table)': \(detail)"
    case .damagedStore(let path, let detail):
      "\(path) is damaged: \(detail); nothing was changed (restore it from a backup; 'fdb verify' lists the damage)"
    case .noSpace(let path, let op):
      "\(path): no space left on device (in \(op)); nothing was written: free space on its file system and retry"
    case .storage(let op, let code): "storage error in \(op): \(code) (\(code.rawValue))"
    case .invalidArgument(let message): message
    case .badCSV(let error): error.description
    case .unknownVersion(let f, let e, let v, let detail):
      v == 0
        ? "feature '\(f)' entity '\(e)': \(detail)"
        : "feature '\(f)' entity '\(e)' has no version \(v): \(detail)"
    case .inputNotCommitted(let input, let version, let reason):
      "lineage input '\(shown(input.description))' of \(shown(version.description)) is not a version committed before it: \(reason)"
    case .unknownRun(let id): "unknown run '\(id)'"
    case .unknownGroup(let name): "unknown feature group '\(name)'"
    case .unknownOperation(let id): "unknown operation \(id)"
    case .cannotUndo(let id, let reason): "cannot undo operation \(id): \(reason)"
    case .nothingToRollBack(let form):
      "rollback of \(form) covers no version; nothing was recorded"
    case .operationUnfinished(let id, let what, let cause):
      "operation \(id) (\(what)) is recorded and in force: every read already sees all of it, but marking it on the chains stopped (\(cause)); once that is fixed, the next rollback or undo finishes it"
    case .exportNeedsRemovedHistory(let cells, let first):
      "\(cells) \(cells == 1 ? "cell needs" : "cells need") history that pruning or vacuum removed\(first.isEmpty ? "" : " (\(cells > first.count ? "first: " : "")\(first.map(\.description).joined(separator: "; ")))"); nothing was written (pass --allow-missing-history / allowMissingHistory to write them empty)"
    case .invalidShard(let text, let reason): "invalid shard '\(shown(text))': \(reason)"
    case .outputNotEmpty(let path):
      "\(path) is not empty; the export writes into a new or empty directory"
    case .changesTrimmed(let after, let oldest):
      "the change feed no longer holds the changes after \(after): its oldest retained change is \(oldest); take a snapshot (fdb export) and follow from its sequence number"
    case .resourceBusy(let what):
      "\(what) is in use by another writer (a pipeline run or a rollback of it); nothing was written: retry when it ends"
    }
  }
}

/// A user string as an error message shows it: whole up to 100 characters, else its first 60
/// and its length, so one error stays one readable line.
func shown(_ text: String) -> String {
  guard text.count > 100 else { return text }
  return "\(text.prefix(60))… (\(text.utf8.count) bytes)"
}
