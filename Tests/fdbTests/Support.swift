import Foundation
import Testing

/// A fresh temporary directory, removed when the value is released.
final class TemporaryDirectory: Sendable {
  let path: String
  init() {
    path = NSTemporaryDirectory() + "fdb-cli-test-" + UUID().uuidString
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(atPath: path) }
  /// A path inside the directory (not created).
  func child(_ name: String) -> String { path + "/" + name }
}

/// The built executable `name` next to the test bundle.
func productPath(_ name: String) -> String {
  let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  for dir in [bundle, bundle.deletingLastPathComponent()] {
    let candidate = dir.appendingPathComponent(name).path
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return bundle.appendingPathComponent(name).path
}

/// What one run of `fdb` did.
struct Outcome: CustomStringConvertible {
  var status: Int32
  /// The process died of a signal (`status` is then the signal number).
  var crashed = false
  var stdout: String
  var stderr: String

  var lines: [String] {
    stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
  }

  /// stdout parsed as one JSON object.
  var json: [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
  }

  /// stdout parsed as JSON lines, one object each.
  var jsonLines: [[String: Any]] {
    lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
  }

  var description: String { "status \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

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
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
    var env = ProcessInfo.processInfo.environment
    env["FDB_PATH"] = nil
    env["NO_COLOR"] = nil
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return Running(process: process, out: out, err: err)
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

/// A started `fdb` (or other) process.
struct Running: @unchecked Sendable {
  let process: Process
  let out: Pipe
  let err: Pipe

  func finish() -> Outcome {
    // Read both pipes before waiting, so a full pipe cannot stall the child.
    let errData = LockedData()
    let group = DispatchGroup()
    let errHandle = err.fileHandleForReading
    DispatchQueue.global().async(group: group) { errData.set(errHandle.readDataToEndOfFile()) }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus,
      crashed: process.terminationReason == .uncaughtSignal,
      stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData.get(), as: UTF8.self))
  }
}

final class LockedData: @unchecked Sendable {
  private var data = Data()
  private let lock = NSLock()
  func set(_ d: Data) { lock.withLock { data = d } }
  func get() -> Data { lock.withLock { data } }
}

/// The bytes and modification time of a file, to prove a command left it alone.
func fingerprint(_ path: String) throws -> (Data, Date?) {
  let data = try Data(contentsOf: URL(fileURLWithPath: path))
  let date = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date
  return (data, date)
}
