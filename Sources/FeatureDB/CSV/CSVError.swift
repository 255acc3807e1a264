/// A malformed CSV input, with the line (1-based, physical) and column (1-based field number)
/// where it was found.
public struct CSVError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The input's name (its path, as the import or export was given it).
  public var file: String
  /// Line of the problem, 1-based, counting physical lines.
  public var line: Int
  /// Field number of the problem, 1-based; nil when it concerns the whole line.
  public var column: Int?
  /// What is wrong.
  public var message: String

  /// `file: line N, column M: message`.
  public var description: String {
    "\(file): line \(line)\(column.map { ", column \($0)" } ?? ""): \(message)"
  }
}
