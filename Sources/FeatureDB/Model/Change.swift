/// One record of the change feed: something that changed what reads see, numbered in commit
/// order. Read them with ``FeatureStore/changes(after:limit:features:)`` or follow them with
/// ``FeatureStore/follow(after:features:pollInterval:)``.
///
/// To keep a copy of the latest values: apply `written` and `deleted` (a tombstone) records,
/// hide a version on `retracted` and show it again on `restored`, forget it on `pruned` and
/// `expired` (docs/scale-out.md, *Following a store*).
public struct Change: Codable, Sendable, Hashable {
  /// What happened.
  public enum Kind: String, Codable, Sendable, CaseIterable {
    /// A version with a value was written.
    case written
    /// A tombstone version was written: from its event time on, the pair has no value.
    case deleted
    /// A rollback (``operation``) hid the version.
    case retracted
    /// An undo (``operation``) of rollback ``undoes`` showed the version again.
    case restored
    /// Max-version pruning removed the version.
    case pruned
    /// TTL vacuum removed the expired version.
    case expired
    /// The feature was defined or its definition changed (``definition``).
    case defined
  }

  /// The record's number: store-wide, strictly increasing in commit order, never reused.
  public var sequence: UInt64
  /// What happened.
  public var kind: Kind
  /// When the transaction that made the change committed.
  public var time: Timestamp
  /// The feature changed.
  public var feature: String
  /// The entity (nil for `defined`).
  public var entity: String?
  /// The version changed (nil for `defined`).
  public var version: UInt64?
  /// A written version's value.
  public var value: FeatureValue?
  /// True when a written version's value was stored out of line (over 64 bytes, such as an
  /// embedding) and is gone: the feed references such values instead of copying them, and the
  /// version was pruned or expired since (a later change in the feed says so).
  public var valueRemoved = false
  /// A written (or deleted) version's event time.
  public var eventTime: Timestamp?
  /// A written (or deleted) version's lineage.
  public var lineage: Lineage?
  /// The rollback that retracted, or the undo that restored, the version.
  public var operation: UInt64?
  /// The rollback a restoring undo undid.
  public var undoes: UInt64?
  /// The feature's definition after a `defined` change.
  public var definition: FeatureDefinition?

  /// A record; the optional parts are set by kind.
  public init(
    sequence: UInt64, kind: Kind, time: Timestamp, feature: String, entity: String? = nil,
    version: UInt64? = nil
  ) {
    self.sequence = sequence
    self.kind = kind
    self.time = time
    self.feature = feature
    self.entity = entity
    self.version = version
  }
}

/// Changes read from the feed, and where to continue.
public struct ChangePage: Sendable, Hashable {
  /// The records, in sequence order.
  public var changes: [Change]
  /// The cursor to pass next: the sequence number of the last record read (or skipped by a
  /// feature filter); the `after` given when there was nothing new.
  public var next: UInt64
  /// The sequence number of the last change committed when the page was read.
  public var last: UInt64
}
