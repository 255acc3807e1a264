import ArgumentParser
import FeatureDB
import Foundation

/// `fdb compact`: copies the store without free pages.
struct Compact: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Copy the store into a new directory with no free pages and full pages.",
    discussion: """
      The copy is made from one read snapshot, so writers may go on meanwhile; the store itself \
      is not changed. The source's pages are checked first; the copy is written into a hidden \
      directory beside OUT_DIR (.NAME.compact-PID.tmp), checked, and renamed to OUT_DIR only when \
      complete, so OUT_DIR never holds a partial copy. Replace the store with the copy while no \
      process has it open.

      Examples:
        fdb compact /tmp/features.compact
        fdb --db /data/features.fdb compact /data/features.new
      """)

  @OptionGroup var global: GlobalOptions

  @Argument(help: "A new or empty directory for the copy.")
  var outDir: String

  func validate() throws {
    if outDir.isEmpty { throw ValidationError("OUT_DIR is empty; give a new or empty directory") }
  }

  func run() throws {
    let parent = URL(fileURLWithPath: outDir).deletingLastPathComponent().path
    guard FileManager.default.fileExists(atPath: parent) else {
      throw CLIError.failure("cannot create \(outDir): directory \(parent) does not exist")
    }
    let store = try global.openStore(.read)
    let output = global.output
    // The copy is written beside OUT_DIR and renamed to it when complete and checked.
    let target = FeatureStore.compactTemporaryPath(for: outDir) + "/data.mdb"
    let result = try Progress.measuring(
      "compact", total: Self.fileSize(global.path + "/data.mdb"), unit: .bytes, output: output,
      measure: { Self.fileSize(target) }, during: { try store.compact(to: outDir) })
    output.document(
      .object([
        ("source", .string(global.path)), ("target", .string(outDir)),
        ("bytesBefore", .int(result.bytesBefore)), ("bytesAfter", .int(result.bytesAfter)),
      ]))
    let saved =
      result.bytesBefore > 0
      ? 100 - Int((Double(result.bytesAfter) * 100 / Double(result.bytesBefore)).rounded()) : 0
    output.note(
      "compacted \(global.path) (\(Display.bytes(result.bytesBefore))) into \(outDir) (\(Display.bytes(result.bytesAfter))): \(saved)% smaller"
    )
  }

  private static func fileSize(_ path: String) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
  }
}
