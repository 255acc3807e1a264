import Foundation
import Testing

@testable import FeatureDB

@Suite struct FeatureGroupTests {
  @Test func groupsStandForTheirFeatures() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("spend", type: .double))
    try db.define(FeatureDefinition("risk", type: .double))
    try db.put("spend", "u1", 12.5)
    try db.put("risk", "u1", 0.9)
    let g = try db.defineGroup(
      FeatureGroup(
        "fraud.v2", features: ["risk", "spend"], description: "fraud model", owner: "ana"))
    #expect(g.createdAt != nil)
    #expect(
      try db.read { try $0.latest(group: "fraud.v2", entity: "u1") } == [
        .double(0.9), .double(12.5),
      ])
    #expect(try db.groups().map(\.name) == ["fraud.v2"])
    // Redefining keeps the creation time.
    let again = try db.defineGroup(FeatureGroup("fraud.v2", features: ["spend"]))
    #expect(again.createdAt == g.createdAt && again.features == ["spend"])
    let out = dir.child("g.csv")
    let features = try db.read { try $0.features(ofGroup: "fraud.v2") }
    try db.exportSnapshot(to: out, options: ExportOptions(features: features))
    #expect(try String(contentsOfFile: out, encoding: .utf8).hasPrefix("entity_id,spend\n"))
    #expect(throws: FeatureDBError.unknownFeature("nope")) {
      try db.defineGroup(FeatureGroup("g", features: ["nope"]))
    }
    #expect(throws: FeatureDBError.self) { try db.defineGroup(FeatureGroup("g", features: [])) }
    #expect(throws: FeatureDBError.self) {
      try db.defineGroup(FeatureGroup("bad name", features: ["risk"]))
    }
    #expect(throws: FeatureDBError.unknownGroup("nope")) {
      try db.read { try $0.latest(group: "nope", entity: "u1") }
    }
  }
}
