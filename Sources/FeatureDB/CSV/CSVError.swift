/// A malformed CSV input, with the line (1-based, physical) and column (1-based field number)
/// where it was found.
public struct CSVError: Error, Hashable, Sendable, CustomStringConvertible {
  public var file: String
  public var line: Int
  public var column: Int?
  public var message: String

  public var description: String {
    "\(file): line \(line)\(column.map { ", column \($0)" } ?? ""): \(message)"
  }
}
