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
    var w = StateWriter()
    w.byte(1)
    w.uint64(1)  // the extractors' fingerprint
    w.uint64(2)  // the features'
    w.svarint(.min)  // newest
    w.append([0, 0])  // an empty window without a resource table
    w.append([1, 0])  // one extractor state, empty
    // Two features: their last values (tagged: an int 5, none), then their version counts.
    w.append([2, 1, 10, 0, 3, 4])
    let old = try UserState(
      id: "u", bytes: w.bytes, extractors: extractors, featureCount: 2,
      fingerprint: Fingerprint(extractors: 1))
    // The last values and version counts are read from the store, not from the state.
    #expect(old.versions == [0, 0] && old.newest == .min && old.last == [nil, nil])
    #expect(old.window.count == 0)
  }

  @Test func aVersionOneWindowKeepsItsResourceHashesInTheRecords() throws {
    var w = StateWriter()
    w.varint(2)  // records
    w.varint(0)  // dropped
    for (delta, resource) in [(Int64(1_000), UInt64(0xABCD)), (5, 0xABCD)] {
      w.svarint(delta)
      w.byte(EventKind.pageView.rawValue)
      w.byte(1)  // has a resource
      w.uint64(resource)
    }
    var r = StateReader(w.bytes)
    let old = try EventWindow(legacyFrom: &r, resourceTable: false)
    #expect(old.records.map(\.time) == [1_000, 1_005])
    #expect(old.records.map(\.resource) == [0xABCD, 0xABCD])
    // Today's encoding keeps the hash once, in the table, and reads back the same records.
    var now = StateWriter()
    old.encode(into: &now)
    // Two 8-byte hashes become one table entry (its count and 8 bytes) and two references in
    // the records' 2-byte headers: 18 bytes for 25.
    #expect(w.bytes.count == 25 && now.bytes.count == 18)
    var back = StateReader(now.bytes)
    #expect(try EventWindow(from: &back) == old)
  }
}

/// Where batches end.
@Suite struct BatchBoundaryTests {
  @Test func perEventBatchesEndWhenTheCommitterIsIdlePerBatchOnesAtTheSize() throws {
    let (db, dir) = try makeStore()
    _ = dir
    let perEvent = try PipelineRunner(
      store: db, options: PipelineOptions(batchSize: 100, coalesce: .perEvent))
    #expect(perEvent.batchEnds(1))
    let perBatch = try PipelineRunner(
      store: db, options: PipelineOptions(batchSize: 100, coalesce: .perBatch))
    #expect(!perBatch.batchEnds(1) && !perBatch.batchEnds(99) && perBatch.batchEnds(100))
    let dry = try PipelineRunner(
      store: db, options: PipelineOptions(batchSize: 100, coalesce: .perEvent, persist: false))
    #expect(!dry.batchEnds(1) && dry.batchEnds(100))
  }
}
