/// One stored version of a (feature, entity) pair, as `history` and the `…Version` reads return it.
public struct Version: Hashable, Sendable {
  /// The feature name.
  public var feature: String
  /// The entity id.
  public var entity: String
  /// 1, 2, 3 … per (feature, entity), never reused.
  public var version: UInt64
  /// When the value was true in the world.
  public var eventTime: Timestamp
  /// When the version was committed.
  public var writeTime: Timestamp
  /// The value; nil for a tombstone (a delete).
  public var value: FeatureValue?
  /// Where the version came from.
  public var lineage: Lineage
  /// Active, or retracted by a rollback.
  public var status: Status
  /// The rollback that retracted it (nil while active).
  public var retractedBy: UInt64? = nil

  /// True for a tombstone: the version records a delete.
  public var isTombstone: Bool { value == nil }

  /// Whether a version counts for reads.
  public enum Status: String, Hashable, Sendable, Codable {
    /// Visible to reads (unless expired).
    case active
    /// Retracted by a rollback: kept for history and lineage; reads skip it (except as-of reads
    /// at a write time before the rollback).
    case retracted
  }
}

/// Identifies a written version: what a write returns.
public struct VersionRef: Hashable, Sendable, CustomStringConvertible {
  /// The feature name.
  public var feature: String
  /// The entity id.
  public var entity: String
  /// The version number: 1, 2, 3 … per (feature, entity).
  public var version: UInt64
  /// `feature:entity@version`.
  public var description: String { "\(feature):\(entity)@\(version)" }
}
