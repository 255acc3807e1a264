import ArgumentParser
import FeatureDB
import Foundation

/// `fdb init`: creates a store.
struct Init: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Create a store.",
    discussion: """
      Creates the store directory. Running it on an existing store changes nothing.

      Examples:
        fdb init
        fdb init --db /data/features.fdb
        FDB_PATH=/data/features.fdb fdb init
      """)

  @OptionGroup var global: GlobalOptions

  func run() throws {
    let path = global.path
    let existed = FileManager.default.fileExists(atPath: path + "/data.mdb")
    let store = try global.openStore(.create)
    let output = global.output
    output.document(
      .object([
        ("path", .string(path)), ("created", .bool(!existed)), ("storeID", .string(store.storeID)),
        ("formatVersion", .int(FeatureStore.formatVersion)),
      ]))
    output.note(existed ? "store \(path) already exists; nothing changed" : "created store \(path)")
  }
}
