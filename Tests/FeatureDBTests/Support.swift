import Foundation
@_exported import TestSupport
import Testing

@testable import FeatureDB

/// `2026-01-01T00:00:00Z` plus `hours`.
func t(_ hours: Int64, minutes: Int64 = 0, seconds: Int64 = 0) -> Timestamp {
  Timestamp(iso8601: "2026-01-01T00:00:00Z")! + .hours(hours) + .minutes(minutes)
    + .seconds(seconds)
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
