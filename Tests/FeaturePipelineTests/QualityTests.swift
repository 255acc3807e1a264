import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

/// An extractor whose one feature is `data.value` as given (NaN and ∞ included).
private struct Passthrough: FeatureExtractor {
  let name = "test.passthrough"
  let version = "1"
  let features = [FeatureSpec("x", .double, "data.value")]
  func extract(_ c: ExtractionContext, state: NoState, into values: inout [FeatureValue]) {
    values.append(.double(c.event.data["value"]?.number ?? 0))
  }
}

/// Events of one user, one a minute, with these values.
private func events(_ values: [Double], user: String = "u1") -> [BehaviorEvent] {
  values.enumerated().map { i, v in
    event(monday + .minutes(Int64(i)), user: user, ["value": .number(v)])
  }
}

@Suite struct QualityTests {
  @Test func binsAreTenthsBelowOneAndPowersOfTwoAbove() {
    let cases: [(Double, Int)] = [
      (0, 0), (0.05, 1), (0.1, 1), (0.11, 2), (0.95, 10), (0.999, 10), (1, 11), (1.5, 11),
      (2, 12), (3.99, 12), (1024, 21), (-0.5, -5), (-3, -12), (1e300, 74), (-1e300, -74),
      (.leastNonzeroMagnitude, 1),
    ]
    for (x, bin) in cases { #expect(DriftBins.bin(x) == bin, "bin of \(x)") }
  }

  @Test func stabilityIndexByHand() throws {
    // (0.5 − 0.9)·ln(0.5/0.9) + (0.5 − 0.1)·ln(0.5/0.1)
    let psi = try #require(DriftBins.stabilityIndex([0: 50, 1: 50], [0: 90, 1: 10]))
    #expect(abs(psi - (-0.4 * log(0.5 / 0.9) + 0.4 * log(5))) < 1e-12)
    #expect(DriftBins.stabilityIndex([3: 7, 5: 1], [3: 14, 5: 2]) == 0)
    // A bin empty in the baseline counts with the floor share 0.0001.
    let floored = try #require(DriftBins.stabilityIndex([1: 1], [2: 1]))
    #expect(abs(floored - 2 * (1 - 0.0001) * log(1 / 0.0001)) < 1e-9)
    #expect(DriftBins.stabilityIndex([:], [1: 3]) == nil)
  }

  @Test func aRunRecordsCountsRangesAndCompleteness() throws {
    let (store, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: store, extractors: [Passthrough()], options: PipelineOptions(runID: "q1"))
    _ = try runner.run(
      events: events([1, .nan, 4, .infinity, -.infinity, 0.5, 2]), input: "mem")
    let record = try #require(try store.run("q1"))
    let q = try #require(try RunQuality.load(record, from: store))
    #expect(q == runner.quality)
    let x = try #require(q.features.first)
    #expect(x.feature == "x" && x.values == 7 && x.nan == 1 && x.infinite == 2)
    #expect(x.min == 0.5 && x.max == 4 && x.mean == 7.5 / 4)
    #expect(x.completeness == 4.0 / 7)
    #expect(x.bins == [11: 1, 13: 1, 5: 1, 12: 1])
    #expect(q.baselineRun == nil && x.drift == nil)
  }

  @Test func driftIsAgainstTheLatestEarlierSucceededRun() throws {
    let (store, dir) = try makeStore()
    _ = dir
    func run(_ id: String, _ values: [Double], user: String) throws -> RunQuality {
      let runner = try PipelineRunner(
        store: store, extractors: [Passthrough()], options: PipelineOptions(runID: id))
      _ = try runner.run(events: events(values, user: user), input: id)
      return try #require(runner.quality)
    }
    _ = try run("a", [1, 1, 1, 1], user: "u1")
    let same = try run("b", [1, 1, 1, 1], user: "u2")
    #expect(same.baselineRun == "a" && same.features[0].drift == 0)
    let moved = try run("c", [100, 100, 1, 1], user: "u3")
    #expect(moved.baselineRun == "b")
    // Half the values moved from bin 11 to bin 17: (0.5 − 1)·ln(0.5) + (0.5 − 0.0001)·ln(0.5/0.0001).
    let expected = -0.5 * log(0.5) + (0.5 - 0.0001) * log(0.5 / 0.0001)
    #expect(abs(moved.features[0].drift! - expected) < 1e-9)
    // A rolled-back run is no baseline.
    _ = try store.rollback(.run("c"), RollbackOptions(actor: "test", reason: "bad"))
    #expect(try run("d", [1, 1], user: "u4").baselineRun == "b")
  }

  @Test func aResumedRunHasTheQualityOfAnUninterruptedOne() throws {
    let values = (0..<40).map { Double($0 % 7) }
    let (whole, d1) = try makeStore()
    _ = d1
    let once = try PipelineRunner(
      store: whole, extractors: [Passthrough()], options: PipelineOptions(runID: "r", batchSize: 5))
    _ = try once.run(events: events(values), input: "mem")
    let (parts, d2) = try makeStore()
    _ = d2
    let stopping = try PipelineRunner(
      store: parts, extractors: [Passthrough()], options: PipelineOptions(runID: "r", batchSize: 5))
    stopping.progress = { if $0.events >= 12 { stopping.stop() } }
    #expect(try stopping.run(events: events(values), input: "mem").interrupted)
    let resumed = try PipelineRunner(
      store: parts, extractors: [Passthrough()], options: PipelineOptions(runID: "r", batchSize: 5))
    _ = try resumed.run(events: events(values), input: "mem")
    #expect(resumed.quality?.features == once.quality?.features)
    #expect(resumed.quality?.features[0].values == 40)
  }
}
