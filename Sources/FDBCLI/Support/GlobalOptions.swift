import ArgumentParser
import FeatureDB
import Foundation

/// Options every command takes, before or after the command name (`fdb --db x get …` and
/// `fdb get … --db x` are the same). Pull them in with `@OptionGroup var global: GlobalOptions`.
public struct GlobalOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Store directory (default: $FDB_PATH, else ./features.fdb).", valueName: "path"))
  public var db: String?

  @Flag(name: .long, help: "Machine-readable output on stdout: one JSON document, or JSON lines.")
  public var json = false

  @Flag(name: .long, help: "No confirmations, notes or progress; 'get' prints the bare value.")
  public var quiet = false

  public init() {}

  /// The store directory: `--db`, else `$FDB_PATH`, else `./features.fdb`.
  public var path: String {
    if let db { return db }
    if let env = ProcessInfo.processInfo.environment["FDB_PATH"], !env.isEmpty { return env }
    return FeatureStore.defaultPath
  }

  /// The output of this invocation.
  var output: Output { Output(json: json, quiet: quiet) }

  /// Moves global options given before the command name to just after it, because
  /// argument-parser only passes options to the command that declares them:
  /// `--db x --json get f e` → `get --db x --json f e`. With no command after them (`fdb --json`,
  /// `fdb --db x --help`, `fdb --json help get`) they are dropped.
  public static func hoist(_ arguments: [String]) -> [String] {
    var globals: [String] = []
    var i = 0
    scan: while i < arguments.count {
      switch arguments[i] {
      case "--json", "--quiet":
        globals.append(arguments[i])
        i += 1
      case "--db" where i + 1 < arguments.count:
        globals += arguments[i...(i + 1)]
        i += 2
      case let a where a.hasPrefix("--db="):
        globals.append(a)
        i += 1
      default:
        break scan
      }
    }
    guard !globals.isEmpty else { return arguments }
    let rest = arguments[i...]
    guard let command = rest.first, !command.hasPrefix("-"), command != "help" else {
      return Array(rest)
    }
    return [command] + globals + rest.dropFirst()
  }
}
