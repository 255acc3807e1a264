import Foundation
import Testing

@testable import FeatureDB

/// The reverse index (`derived`) and the feature graph (`edges`) hold every version input of a
/// write, wherever it stands among raw inputs.
@Suite struct DerivedIndexTests {
  @Test func versionInputsAfterARawInputAreIndexed() throws {
    let (db, dir) = try makeStore()
    _ = dir
    for name in ["a", "b", "d"] {
      try db.define(FeatureDefinition(name, type: .int, maxVersions: 0))
    }
    try db.put("a", "u", 1)
    try db.put("b", "u", 2)
    try db.put(
      "d", "u", 3,
      lineage: Lineage(
        producer: "p@1",
        inputs: [.raw("evt-1"), .version("a", "u", 1), .raw("evt-2"), .version("b", "u", 1)]))
    let derived = VersionRef(feature: "d", entity: "u", version: 1)
    #expect(try db.downstream("a", "u", version: 1).children.map(\.ref) == [derived])
    #expect(try db.downstream("b", "u", version: 1).children.map(\.ref) == [derived])
    #expect(Set(try db.featureGraph().edges.map { "\($0.parent)>\($0.child)" }) == ["a>d", "b>d"])
    // A cascade reaches the derived version from the parent listed last.
    let written = try #require(try db.history("b", "u").first).writeTime
    let b = try db.rollback(
      .toTime(
        feature: "b", entity: "u", writeTime: Timestamp(microseconds: written.microseconds - 1)),
      RollbackOptions(cascade: true, dryRun: true))
    #expect(b.versions.map(\.description) == ["b:u@1", "d:u@1"])
  }
}
