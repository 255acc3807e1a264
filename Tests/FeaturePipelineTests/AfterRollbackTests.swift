import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// What the pipeline does with the store's definitions and with rollbacks made between runs.
@Suite struct AfterRollbackTests {
  @Test(arguments: [Coalesce.perEvent, .perBatch])
  func aRunAfterARollbackWritesTheValuesTheRollbackRetracted(_ coalesce: Coalesce) throws {
    let (db, dir) = try makeStore()
    _ = dir
    let extractors: [any FeatureExtractor] = [TemporalExtractor()]
    let t = monday + .hours(9)
    _ = try PipelineRunner(
      store: db, extractors: extractors, options: PipelineOptions(runID: "bad", coalesce: coalesce)
    ).run(events: [event(t)], input: "a")
    _ = try db.rollback(.run("bad"), RollbackOptions(cascade: true, reason: "test"))
    #expect(try db.latest("hour_of_day", "u1") == nil)
    // The next event gives the same hour: written again, though equal to the last value the
    // state remembers writing.
    _ = try PipelineRunner(
      store: db, extractors: extractors, options: PipelineOptions(runID: "good", coalesce: coalesce)
    ).run(events: [event(t + .minutes(5))], input: "b")
    #expect(try db.latest("hour_of_day", "u1") == .int(9))
    // With no rollback since, an unchanged value is not written again.
    let before = try db.history("hour_of_day", "u1").count
    _ = try PipelineRunner(
      store: db, extractors: extractors, options: PipelineOptions(runID: "more", coalesce: coalesce)
    ).run(events: [event(t + .minutes(6))], input: "c")
    #expect(try db.history("hour_of_day", "u1").count == before)
  }

  @Test func existingFeaturesKeepTheirRetentionUnlessMaxVersionsIsGiven() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let extractors: [any FeatureExtractor] = [TemporalExtractor()]
    try db.define(FeatureDefinition("hour_of_day", type: .int, maxVersions: 2))
    let runner = try PipelineRunner(store: db, extractors: extractors)
    try runner.defineFeatures()
    #expect(try db.feature("hour_of_day")?.maxVersions == 2)
    #expect(try db.feature("day_of_week")?.maxVersions == PipelineRunner.defaultMaxVersions)
    try PipelineRunner(store: db, extractors: extractors, options: PipelineOptions(maxVersions: 0))
      .defineFeatures()
    #expect(try db.feature("hour_of_day")?.maxVersions == 0)
    #expect(try db.feature("day_of_week")?.maxVersions == 0)
  }

  @Test func aVersionOneStateIsRead() throws {
    let extractors: [any FeatureExtractor] = [TemporalExtractor()]
    let fingerprint = Fingerprint(extractors: 1, features: 2)
    let u = UserState(id: "u", extractors: extractors, featureCount: 8)
    u.operations = 7
    var bytes = u.encode(fingerprint: fingerprint)
    // Version 1: no operations varint after `newest` (one byte: svarint of Int64.min is 10).
    let newestEnd = 1 + 8 + 8 + 10
    #expect(bytes[newestEnd] == 7)
    bytes.remove(at: newestEnd)
    bytes[0] = 1
    let old = try UserState(
      id: "u", bytes: bytes, extractors: extractors, featureCount: 8, fingerprint: fingerprint)
    #expect(old.operations == 0 && old.newest == .min)
  }
}
