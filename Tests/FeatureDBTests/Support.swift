import Foundation
import Testing

@testable import FeatureDB

/// A fresh temporary directory, removed when the value is released.
final class TemporaryDirectory {
  let path: String
  init() {
    path = NSTemporaryDirectory() + "featuredb-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(atPath: path) }
  /// A path inside the directory (not created).
  func child(_ name: String) -> String { path + "/" + name }
}

/// A new store in its own temporary directory.
func makeStore(_ options: StoreOptions = StoreOptions(durability: .noSync)) throws -> (
  FeatureStore, TemporaryDirectory
) {
  let dir = TemporaryDirectory()
  return (try FeatureStore(path: dir.child("store.fdb"), options: options), dir)
}

/// `2026-01-01T00:00:00Z` plus `hours`.
func t(_ hours: Int64, minutes: Int64 = 0, seconds: Int64 = 0) -> Timestamp {
  Timestamp(iso8601: "2026-01-01T00:00:00Z")! + .hours(hours) + .minutes(minutes)
    + .seconds(seconds)
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

/// Runs an executable to completion; returns (exit status, stdout, stderr).
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws
  -> (Int32, String, String)
{
  let process = Process()
  process.executableURL = URL(fileURLWithPath: executable)
  process.arguments = arguments
  if let environment { process.environment = environment }
  let out = Pipe()
  let err = Pipe()
  process.standardOutput = out
  process.standardError = err
  try process.run()
  let outData = out.fileHandleForReading.readDataToEndOfFile()
  let errData = err.fileHandleForReading.readDataToEndOfFile()
  process.waitUntilExit()
  return (
    process.terminationStatus, String(decoding: outData, as: UTF8.self),
    String(decoding: errData, as: UTF8.self)
  )
}

/// Asserts that `body` throws exactly `expected`.
func expectError(
  _ expected: FeatureDBError, sourceLocation: SourceLocation = #_sourceLocation,
  _ body: () throws -> Void
) {
  do {
    try body()
    Issue.record("expected \(expected), nothing was thrown", sourceLocation: sourceLocation)
  } catch let error as FeatureDBError {
    #expect(error == expected, sourceLocation: sourceLocation)
  } catch {
    Issue.record("expected \(expected), got \(error)", sourceLocation: sourceLocation)
  }
}

/// The error `body` throws as a FeatureDBError (records an issue otherwise).
func thrownError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void)
  -> FeatureDBError?
{
  do {
    try body()
    Issue.record("expected an error, nothing was thrown", sourceLocation: sourceLocation)
  } catch let error as FeatureDBError {
    return error
  } catch {
    Issue.record("expected a FeatureDBError, got \(error)", sourceLocation: sourceLocation)
  }
  return nil
}
