import Foundation
@_exported import TestSupport
import Testing

/// Runs the built `fdb` in its own temporary working directory, with `FDB_PATH` and `NO_COLOR`
/// unset unless given, so `./features.fdb` is the directory's own store.
final class CLI: Sendable {
  let dir = TemporaryDirectory()
  static let binary = productPath("fdb")

  /// The default store of the working directory.
  var store: String { dir.child("features.fdb") }

  @discardableResult
  func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
    let process = try start(arguments, environment: environment)
    return process.finish()
  }

  /// Starts `fdb` without waiting for it.
  func start(
    _ arguments: [String], environment: [String: String] = [:], executable: String = CLI.binary
  )
    throws -> Running
  {
    var env = ProcessInfo.processInfo.environment
    env["FDB_PATH"] = nil
    env["NO_COLOR"] = nil
    for (k, v) in environment { env[k] = v }
    return try Running.start(executable, arguments, environment: env, directory: dir.path)
  }

  /// Runs `fdb` and requires success; returns what it printed.
  @discardableResult
  func ok(
    _ arguments: [String], environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
  )
    throws -> Outcome
  {
    let outcome = try run(arguments, environment: environment)
    #expect(
      outcome.status == 0, "fdb \(arguments.joined(separator: " "))\n\(outcome)",
      sourceLocation: sourceLocation)
    #expect(
      outcome.stderr.isEmpty, "fdb \(arguments.joined(separator: " "))\n\(outcome)",
      sourceLocation: sourceLocation)
    return outcome
  }

  /// Runs `fdb`, requires exit `status` and exactly one stderr line `fdb: error: …`; returns it.
  @discardableResult
  func fails(
    _ status: Int32, _ arguments: [String], environment: [String: String] = [:],
    sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> String {
    let outcome = try run(arguments, environment: environment)
    let context = "fdb \(arguments.joined(separator: " "))\n\(outcome)"
    #expect(outcome.status == status, "\(context)", sourceLocation: sourceLocation)
    #expect(outcome.stdout.isEmpty, "\(context)", sourceLocation: sourceLocation)
    let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(
      lines.count == 2 && lines[1].isEmpty, "one line expected: \(context)",
      sourceLocation: sourceLocation)
    #expect(outcome.stderr.hasPrefix("fdb: error: "), "\(context)", sourceLocation: sourceLocation)
    return String(lines.first ?? "")
  }

  /// A store with `features.fdb` created and the given features defined (`name`, `type` pairs).
  func initialized(_ features: [(String, String)] = []) throws -> CLI {
    try ok(["init"])
    for (name, type) in features { try ok(["define", name, "--type", type]) }
    return self
  }
}

/// The bytes and modification time of a file, to prove a command left it alone.
func fingerprint(_ path: String) throws -> (Data, Date?) {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
  return (data, date)
}
