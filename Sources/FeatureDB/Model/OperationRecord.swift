/// An entry of the operations log: a rollback or an undo, with who, when, why and what it
/// changed. Rollbacks retract versions; an undo restores what its rollback retracted.
public struct OperationRecord: Codable, Sendable, Hashable {
  /// What an operation did.
  public enum Kind: String, Codable, Sendable {
    /// Retracted versions.
    case rollback
    /// Restored the versions another operation retracted.
    case undo
  }

  /// Operation id: 1, 2, 3 … in commit order.
  public var id: UInt64
  /// Rollback or undo.
  public var kind: Kind
  /// What was asked, e.g. `value user.spend:u1 to version 3`, `run run-42`.
  public var form: String
  /// Who asked.
  public var actor: String
  /// Why.
  public var reason: String
  /// When it committed: reads at an earlier write time do not see it.
  public var time: Timestamp
  /// Whether versions derived from the retracted ones were retracted too.
  public var cascade: Bool
  /// Versions it retracted (rollback) or restored (undo).
  public var versions: Int
  /// The operation an undo undid.
  public var undoes: UInt64?
  /// The undo that undid this rollback.
  public var undoneBy: UInt64?
}
