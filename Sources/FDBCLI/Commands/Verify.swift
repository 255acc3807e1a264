import ArgumentParser
import FeatureDB

/// `fdb verify`: the full integrity check.
struct Verify: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Check every record and index of the store; exit 0 only when clean.",
    discussion: """
      Decodes every record (checksums included) and checks every index against the data: \
      interned ids both ways, chains against the catalog, value records, expiry entries and \
      dictionaries against the chains that use them. Reads one snapshot; writers may go on. \
      Problems are listed one per line (table: location: problem) and the exit status is 4.

      Examples:
        fdb verify
        fdb verify --json
        fdb verify --max-problems 20
      """)

  @OptionGroup var global: GlobalOptions

  @Option(help: ArgumentHelp("List at most this many problems (all are counted).", valueName: "n"))
  var maxProblems = 100

  func validate() throws {
    if maxProblems < 1 {
      throw ValidationError("--max-problems must be at least 1, got \(maxProblems)")
    }
  }

  func run() throws {
    let store = try global.openStore(.read)
    let output = global.output
    let progress = Progress("verify", total: nil, unit: .items("records"), output: output)
    var total = 0
    let report = try store.verify(maxProblems: maxProblems) { done, all in
      total = all
      progress.update(done)
    }
    progress.finish()
    output.document(
      .object([
        ("clean", .bool(report.isClean)), ("records", .int(report.records)),
        ("problems", .int(report.problemCount)),
        ("staleExpiryEntries", .int(report.staleExpiryEntries)),
        (
          "listed",
          .array(
            report.problems.map { p in
              .object([
                ("table", .string(p.table)), ("location", .string(p.location)),
                ("problem", .string(p.message)),
              ])
            })
        ),
      ]))
    for problem in report.problems { output.line(DisplayText.oneLine(problem.description)) }
    if report.isClean {
      output.note(
        "clean: \(Display.count(report.records, "record")) checked\(total > report.records ? " of \(total)" : "")"
      )
      return
    }
    output.note(
      "\(Display.count(report.problemCount, "problem"))\(report.problemCount > report.problems.count ? " (\(report.problems.count) listed)" : "") in \(Display.count(report.records, "record"))"
    )
    throw ExitCode(ExitStatus.verifyFailed.rawValue)
  }
}
