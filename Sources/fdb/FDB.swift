import ArgumentParser
import FeatureDB

@main
struct FDB: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "fdb",
    abstract: "Inspect and maintain a FeatureDB store.",
    subcommands: [Demo.self]
  )
}
