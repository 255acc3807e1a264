/// One stored version of a (feature, entity) pair, as `history` and the `…Version` reads return it.
public struct Version: Hashable, Sendable {
  public var feature: String
  public var entity: String
  /// 1, 2, 3 … per (feature, entity), never reused.
  public var version: UInt64
  /// When the value was true in the world.
  public var eventTime: Timestamp
  /// When the version was committed.
  public var writeTime: Timestamp
  /// The value; nil for a tombstone (a delete).
  public var value: FeatureValue?
  public var lineage: Lineage
  public var status: Status
  /// The rollback that retracted it (nil while active).
  public var retractedBy: UInt64? = nil

  public var isTombstone: Bool { value == nil }

  public enum Status: String, Hashable, Sendable, Codable {
    case active
    case retracted
  }
}

/// Identifies a written version: what a write returns.
public struct VersionRef: Hashable, Sendable, CustomStringConvertible {
  public var feature: String
  public var entity: String
  public var version: UInt64
  public var description: String { "\(feature):\(entity)@\(version)" }
}
