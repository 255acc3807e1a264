import ArgumentParser
import FeatureDB
import Foundation

/// The root command. Adding a command: a new file in `Commands/` and one line in `subcommands`.
public struct FDB: ParsableCommand {
  public static let configuration = CommandConfiguration(
    commandName: "fdb",
    abstract: "Inspect and maintain a FeatureDB store.",
    discussion: """
      Global options (--db, --json, --quiet) go before or after the command name. The store is \
      --db PATH, else $FDB_PATH, else ./features.fdb.

      Times: ISO-8601 UTC (2026-01-05T10:30:00Z, fractions allowed) or relative (-2h, -7d, now). \
      Durations: 90s, 15m, 24h, 7d.

      Exit codes: 0 success, 1 runtime error (store, I/O, corrupt data), 2 usage error, 3 not \
      found (feature, value, or history removed by pruning or vacuum), 4 verify found problems, \
      5 a change-feed cursor older than the feed keeps.

      Run 'fdb help COMMAND' for a command's options and examples.
      """,
    version: "fdb \(FeatureStore.version) (writes format version \(FeatureStore.formatVersion))",
    subcommands: [
      Init.self,
      Define.self,
      DefineGroup.self,
      Features.self,
      Groups.self,
      Describe.self,
      Put.self,
      Delete.self,
      Get.self,
      History.self,
      Entities.self,
      Stats.self,
      Prune.self,
      Vacuum.self,
      Compact.self,
      Verify.self,
      TrainDict.self,
      Export.self,
      Import.self,
      ShardOf.self,
      ChangesCommand.self,
      LineageCommand.self,
      Graph.self,
      Runs.self,
      RunCommand.self,
      RollbackCommand.self,
      Undo.self,
      Ops.self,
      PipelineCommand.self,
      Demo.self,
    ]
  )

  public init() {}

  /// The arguments as argument-parser is given them: global options moved after the command
  /// (``GlobalOptions/hoist(_:)``) and repeated `--input` flags collapsed into one
  /// (``LineageArgument/collapse(_:)``).
  public static func prepare(_ arguments: [String]) -> [String] {
    LineageArgument.collapse(GlobalOptions.hoist(arguments))
  }

  /// Runs `fdb` with `arguments` and exits with its status; errors are one line on stderr.
  public static func execute(_ arguments: [String] = Array(CommandLine.arguments.dropFirst()))
    -> Never
  {
    let arguments = prepare(arguments)
    // `fdb help NAME` with an unknown NAME: argument-parser prints the general help and exits 0.
    if arguments.first == "help", arguments.count > 1, !arguments[1].hasPrefix("-"),
      !configuration.subcommands.map({ $0._commandName }).contains(arguments[1])
    {
      fail(.usage, "unknown command '\(arguments[1])' (see 'fdb help')")
    }
    var command: ParsableCommand
    do {
      command = try parseAsRoot(arguments)
    } catch {
      if exitCode(for: error) == .success { exit(withError: error) }  // --help, --version
      fail(.usage, usageMessage(error, arguments: arguments))
    }
    do {
      try command.run()
      try Terminal.finishOutput()
    } catch let error as ExitCode {
      Foundation.exit(error.rawValue)
    } catch let error as ValidationError {
      fail(.usage, usageMessage(error, arguments: arguments))
    } catch let error as CLIError {
      fail(error.status, error.message)
    } catch let error as FeatureDBError {
      fail(ExitStatus(error), error.description)
    } catch {
      if exitCode(for: error) == .success { exit(withError: error) }  // `fdb help COMMAND`
      fail(.failure, String(describing: error))
    }
    Foundation.exit(ExitStatus.success.rawValue)
  }

  /// Prints `fdb: error: MESSAGE` (one line) on stderr and exits with `status`.
  static func fail(_ status: ExitStatus, _ message: String) -> Never {
    let oneLine = cutQuoted(message.split(whereSeparator: \.isNewline).joined(separator: "; "))
    Progress.clearShownLine()
    Terminal.writeError("fdb: error: \(oneLine)\n")
    Foundation.exit(status.rawValue)
  }

  /// Shortens every quoted part of `message` ('…', an entity id, a value) longer than 100
  /// characters to its first 60 and its length, so an error stays one readable line.
  static func cutQuoted(_ message: String) -> String {
    let parts = message.split(separator: "'", omittingEmptySubsequences: false)
    guard parts.count >= 3 else { return message }
    return parts.enumerated().map { i, part in
      // Odd parts are inside quotes (when the quotes pair up).
      guard i % 2 == 1, i < parts.count - 1, part.count > 100 else { return String(part) }
      return "\(part.prefix(60))… (\(part.utf8.count) bytes)"
    }.joined(separator: "'")
  }

  /// argument-parser's message for a parse error, lower-cased, with where to find help.
  static func usageMessage(_ error: any Error, arguments: [String]) -> String {
    var message = self.message(for: error).trimmingCharacters(in: .whitespacesAndNewlines)
    if let first = message.first, message.dropFirst().first?.isLowercase ?? true {
      message = first.lowercased() + message.dropFirst()
    }
    let names = configuration.subcommands.map { $0._commandName }
    let command = arguments.first.flatMap { names.contains($0) ? $0 : nil }
    if let negative = negativeValue(in: arguments) {
      message += "; a negative value needs '--' before it: fdb put FEATURE ENTITY -- \(negative)"
    }
    return message + " (see 'fdb help\(command.map { " " + $0 } ?? "")')"
  }

  /// A positional argument argument-parser took for an option because it starts with `-`
  /// (`-3.5`, `-inf`); nil when there is none or it comes after `--`.
  static func negativeValue(in arguments: [String]) -> String? {
    for (i, a) in arguments.enumerated() {
      if a == "--" { return nil }
      let previous = i > 0 ? arguments[i - 1] : ""
      guard a.count > 1, a.hasPrefix("-"), !previous.hasPrefix("--") || previous.contains("=")
      else {
        continue
      }
      let rest = a.dropFirst().lowercased()
      if rest.first?.isNumber == true || rest.hasPrefix(".") || rest == "inf" || rest == "nan" {
        return a
      }
    }
    return nil
  }
}
