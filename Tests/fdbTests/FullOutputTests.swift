import Foundation
import Testing

/// Every command that prints fails (exit 1, one line on stderr, no signal) when its output
/// cannot be written: stdout, `export --out` and the `--skip-bad-events` rejects file on
/// /dev/full, where every write fails with ENOSPC.
@Suite struct FullOutputTests {
  /// Runs `fdb` with stdout on /dev/full.
  func runIntoFullDevice(_ cli: CLI, _ arguments: [String]) throws -> Outcome {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: cli.dir.path)
    var env = ProcessInfo.processInfo.environment
    env["FDB_PATH"] = nil
    process.environment = env
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: "/dev/full"))
    let err = Pipe()
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Outcome(
      status: process.terminationStatus, crashed: process.terminationReason == .uncaughtSignal,
      stdout: "", stderr: String(decoding: stderr, as: UTF8.self))
  }

  /// Requires exit 1 with one `fdb: error:` line that says the output could not be written.
  func expectFailure(_ outcome: Outcome, _ arguments: [String]) {
    let context = "fdb \(arguments.joined(separator: " "))\n\(outcome)"
    #expect(!outcome.crashed && outcome.status == 1, "\(context)")
    let lines = outcome.stderr.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 2 && lines[1].isEmpty, "one line expected: \(context)")
    #expect(outcome.stderr.hasPrefix("fdb: error: "), "\(context)")
    #expect(outcome.stderr.lowercased().contains("no space left on device"), "\(context)")
    #expect(!outcome.stderr.contains("Domain="), "\(context)")
  }

  @Test func everyCommandThatPrintsFailsOnAFullDevice() throws {
    let cli = try LineageCommandTests.store()
    try cli.ok(["rollback", "--run", "bad-run", "--reason", "dup"])
    let events = cli.dir.child("events.jsonl")
    try Data(
      #"{"event_id":"e1","user_id":"u9","event_type":"page_view","timestamp":"2026-01-05T00:00:00Z"}"#
        .utf8 + [10]
    ).write(to: URL(fileURLWithPath: events))
    let commands: [[String]] = [
      ["features"], ["features", "--json"], ["describe", "user.risk"], ["get", "user.risk", "u1"],
      ["get", "user.risk", "u1", "--json"], ["history", "user.spend_7d", "u1"],
      ["history", "user.spend_7d", "u1", "--json"], ["entities", "user.risk"],
      ["stats"], ["stats", "--json"], ["verify"], ["ops"], ["ops", "--json"], ["runs"],
      ["run", "show", "bad-run"], ["graph"], ["graph", "--format", "dot"],
      ["lineage", "user.risk", "u1"], ["lineage", "user.risk", "u1", "--json"],
      ["lineage", "user.risk", "u1", "--format", "mermaid"],
      ["export", "--features", "user.risk"], ["pipeline", "features"],
      ["pipeline", "generate", "--events", "10"], ["put", "user.risk", "u2", "0.5"],
      ["define", "user.more", "--type", "int"], ["delete", "user.risk", "u2"],
      ["rollback", "user.spend_7d", "u1", "--to-version", "1", "--dry-run"],
      ["pipeline", "run", events],
    ]
    for arguments in commands {
      expectFailure(try runIntoFullDevice(cli, arguments), arguments)
    }
  }

  @Test func exportAndRejectsFilesOnAFullDeviceFail() throws {
    let cli = try LineageCommandTests.store()
    // Through a link, so that a rename over the output (the bug) would replace the link, never
    // the machine's /dev/full.
    let out = cli.dir.child("full.csv")
    try FileManager.default.createSymbolicLink(atPath: out, withDestinationPath: "/dev/full")
    let arguments = ["export", "--features", "user.risk", "--out", out]
    expectFailure(try cli.run(arguments), arguments)
    let attributes = try FileManager.default.attributesOfItem(atPath: out)
    #expect(attributes[.type] as? FileAttributeType == .typeSymbolicLink)
    let events = cli.dir.child("events.jsonl")
    try Data("not json\n".utf8).write(to: URL(fileURLWithPath: events))
    let run = ["pipeline", "run", events, "--skip-bad-events", "/dev/full"]
    expectFailure(try cli.run(run), run)
  }
}
