import ArgumentParser
import FeatureDB

/// `--shard k/N` as the commands that take it parse it.
enum ShardArgument {
  /// The shard `text` names (nil for nil); a malformed or out-of-range one is a usage error
  /// naming the option.
  static func parse(_ text: String?) throws -> Shard? {
    guard let text else { return nil }
    do { return try Shard(parsing: text) } catch { throw ValidationError("--shard: \(error)") }
  }
}
