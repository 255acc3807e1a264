import Foundation

/// The built executable `name` next to the test bundle.
package func productPath(_ name: String) -> String {
  let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  for dir in [bundle, bundle.deletingLastPathComponent()] {
    let candidate = dir.appendingPathComponent(name).path
    if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
  }
  return bundle.appendingPathComponent(name).path
}

/// What one run of a process did.
package struct Outcome: CustomStringConvertible {
  /// The exit status, or the signal number when `crashed`.
  package var status: Int32
  /// The process died of a signal (`status` is then the signal number).
  package var crashed = false
  /// Everything it printed on standard output.
  package var stdout: String
  /// Everything it printed on standard error.
  package var stderr: String

  /// An outcome as given.
  package init(status: Int32, crashed: Bool = false, stdout: String, stderr: String) {
    (self.status, self.crashed, self.stdout, self.stderr) = (status, crashed, stdout, stderr)
  }

  /// stdout's lines, without the empty one after the last newline.
  package var lines: [String] {
    stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
  }

  /// stdout parsed as one JSON object.
  package var json: [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
  }

  /// stdout parsed as JSON lines, one object each.
  package var jsonLines: [[String: Any]] {
    lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
  }

  /// Status and both outputs, for failure messages.
  package var description: String { "status \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}

/// A started process whose outputs are piped.
package struct Running: @unchecked Sendable {
  /// The process.
  package let process: Process
  let out: Pipe
  let err: Pipe

  /// Starts `executable` with `arguments`; `environment` and `directory` default to this
  /// process's. Standard input is empty.
  package static func start(
    _ executable: String, _ arguments: [String], environment: [String: String]? = nil,
    directory: String? = nil
  ) throws -> Running {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return Running(process: process, out: out, err: err)
  }

  /// Waits for the process and returns what it printed.
  package func finish() -> Outcome {
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

/// Data handed from one thread to another.
final class LockedData: @unchecked Sendable {
  private var data = Data()
  private let lock = NSLock()
  func set(_ d: Data) { lock.withLock { data = d } }
  func get() -> Data { lock.withLock { data } }
}

/// Runs an executable to completion; returns (exit status, stdout, stderr).
@discardableResult
package func run(
  _ executable: String, _ arguments: [String], environment: [String: String]? = nil
) throws -> (Int32, String, String) {
  let outcome = try Running.start(executable, arguments, environment: environment).finish()
  return (outcome.status, outcome.stdout, outcome.stderr)
}
