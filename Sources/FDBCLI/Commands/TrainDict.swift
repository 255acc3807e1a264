import ArgumentParser
import FeatureDB

/// `fdb train-dict`: trains a zstd dictionary for one feature.
struct TrainDict: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train-dict",
    abstract: "Train a zstd dictionary from a feature's values; new values are compressed with it.",
    discussion: """
      Pays off for small, similar values that zstd cannot compress one by one: JSON-like strings, \
      bytes, int8 embeddings (float embeddings use no zstd and are refused). Values written before \
      keep the dictionary they were written with; dictionaries are never removed.

      Examples:
        fdb train-dict user.profile_json
        fdb train-dict item.embedding_int8 --samples 50000 --size 32768
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "The feature.")
  var feature: String

  @Option(help: ArgumentHelp("Train on at most this many values.", valueName: "n"))
  var samples = 20_000

  @Option(help: ArgumentHelp("Largest dictionary, in bytes.", valueName: "bytes"))
  var size = 16 * 1024

  func validate() throws {
    if samples < 8 { throw ValidationError("--samples must be at least 8, got \(samples)") }
    if size < 256 { throw ValidationError("--size must be at least 256 bytes, got \(size)") }
  }

  func run() throws {
    let store = try global.openStore(.write, wholeStore: true)
    let result = try store.trainDictionary(feature: feature, maxSamples: samples, capacity: size)
    let output = global.output
    output.document(
      .object([
        ("feature", .string(feature)), ("dictionary", .int(result.id)),
        ("bytes", .int(result.bytes)),
        ("samples", .int(result.samples)),
      ]))
    output.note(
      "trained dictionary \(result.id) for \(feature): \(Display.bytes(result.bytes)) from \(Display.count(result.samples, "value")); new values use it"
    )
  }
}
