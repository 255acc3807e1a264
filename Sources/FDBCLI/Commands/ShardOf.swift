import ArgumentParser
import FeatureDB
import Foundation

/// `fdb shard-of`: which of N shard stores an entity belongs to.
struct ShardOf: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shard-of",
    abstract: "Print the shard (0 to N-1) an entity belongs to among N shard stores.",
    discussion: """
      The shard function is fixed: 64-bit FNV-1a over the entity id's UTF-8 bytes, then jump \
      consistent hash to N buckets (docs/scale-out.md). 'fdb import --shard k/N' and \
      'fdb pipeline run --shard k/N' keep the entities of shard k; no store is opened.

      Examples:
        fdb shard-of user123 --shards 3
        fdb shard-of user123 --shards 3 --json
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The entity id.")
  var entity: String

  @Option(help: ArgumentHelp("How many shards (1 to 65536).", valueName: "n"))
  var shards: Int

  func validate() throws {
    guard (1...Shard.maxCount).contains(shards) else {
      throw ValidationError("--shards must be 1 to \(Shard.maxCount), got \(shards)")
    }
    guard !entity.isEmpty else { throw ValidationError("the entity id is empty") }
  }

  func run() throws {
    let shard = Shard.index(of: entity, shards: shards)
    let output = global.output
    output.document(
      .object([("entity", .string(entity)), ("shards", .int(shards)), ("shard", .int(shard))]))
    output.line(String(shard))
  }
}
