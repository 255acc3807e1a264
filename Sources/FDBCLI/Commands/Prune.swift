import ArgumentParser
import FeatureDB

/// `fdb prune`: applies max-versions to stored data now.
struct Prune: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Apply max-versions to stored values now (after lowering it).",
    discussion: """
      Removes the oldest versions beyond each feature's max-versions, in transactions of at most \
      5,000 values. Safe to interrupt and run again. Reads that would need a removed version \
      then say so (exit 3) rather than answer with an older value.

      Examples:
        fdb define user.spend_7d --type double --max-versions 3
        fdb prune user.spend_7d
        fdb prune                      # every feature
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "Only this feature (default: every feature).")
  var feature: String?

  func run() throws {
    let store = try global.openStore(.write, wholeStore: true)
    let result = try store.prune(feature)
    let output = global.output
    output.document(
      .object([
        ("feature", Display.json(feature)), ("chains", .int(result.chains)),
        ("pruned", .int(result.pruned)),
      ]))
    let scope = feature ?? "every feature"
    let checked = Display.count(result.chains, "feature-entity pair") + " checked"
    output.note(
      result.pruned == 0
        ? "nothing to prune in \(scope): every value is within max versions (\(checked))"
        : "pruned \(Display.count(result.pruned, "version")) of \(scope) (\(checked))")
  }
}
