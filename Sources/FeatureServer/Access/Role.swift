/// What a token may do. Each role includes the ones before it.
public enum Role: Int, Sendable, Comparable, CaseIterable {
  /// Reads, lineage, runs, operations, the UI.
  case read
  /// Pushes and writes to the online store.
  case write
  /// Rollback and undo.
  case admin

  /// The role's name in a token file: `read`, `write` or `admin`.
  public var name: String {
    switch self {
    case .read: "read"
    case .write: "write"
    case .admin: "admin"
    }
  }

  /// The role named `name`, or nil.
  public init?(name: String) {
    guard let role = Role.allCases.first(where: { $0.name == name }) else { return nil }
    self = role
  }

  /// Orders roles by what they allow.
  public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
}
