import FeatureDB
import Testing

@testable import FeaturePipeline

/// The runner keeps decoded states within a byte budget (`stateCacheBytes`), emptying its cache
/// after a commit that leaves more; states read back from the store give exactly what a run that
/// kept them all gives (issue 19, item 16).
@Suite struct StateCacheTests {
  @Test(arguments: [Coalesce.perBatch, .perEvent])
  func aSmallCacheGivesWhatAnUnboundedOneGives(_ coalesce: Coalesce) throws {
    let seed: UInt64 = 0x5EED_0019_0016
    print("StateCacheTests seed \(seed)")
    var generator = EventGenerator(users: 40, seed: seed)
    let events = (0..<1_200).map { _ in generator.next() }
    let users = (0..<40).map { "user\($0)" }
    func run(cache: Int) throws -> (dump: [String], cached: [Int]) {
      let (db, dir) = try makeStore()
      _ = dir
      let runner = try PipelineRunner(
        store: db,
        options: PipelineOptions(
          runID: "r", batchSize: 40, coalesce: coalesce, maxVersions: 0, stateCacheBytes: cache))
      var cached: [Int] = []
      runner.progress = { _ in cached.append(runner.cachedStateBytes) }
      _ = try runner.run(events: events, input: "gen")
      return (
        try dump(db, features: runner.featureNames, users: users, namespace: runner.namespace),
        cached
      )
    }
    let unbounded = try run(cache: .max)
    // About what 15 users take: some commits keep their users, others empty the cache.
    let budget = unbounded.cached.max()! * 15 / 40
    let small = try run(cache: budget)
    #expect(small.dump == unbounded.dump)
    #expect(small.cached.allSatisfy { $0 <= budget })
    #expect(small.cached.contains { $0 > 0 })
    #expect(small.cached.contains(0))
    // Nothing is evicted when everything fits.
    #expect(zip(unbounded.cached, unbounded.cached.dropFirst()).allSatisfy { $0 <= $1 })
  }
}
