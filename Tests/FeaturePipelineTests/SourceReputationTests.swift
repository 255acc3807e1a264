import FeatureDB
import Foundation
import Testing

@testable import FeaturePipeline

@Suite struct SourceReputationTests {
  /// An event of `user` from `ip` with `result`, `minute` minutes after Monday 00:00.
  private func attempt(_ user: String, _ minute: Int64, ip: String?, _ result: String?)
    -> BehaviorEvent
  {
    var data: [String: EventValue] = [:]
    if let ip { data["source_ip"] = .string(ip) }
    if let result { data["result"] = .string(result) }
    return event(monday + .minutes(minute), "login", user: user, data)
  }

  private func score(_ store: FeatureStore, _ user: String) throws -> Double? {
    try store.latest("ip_reputation_score", user)?.double
  }

  @Test func countsEveryUsersResultsFromTheAddress() throws {
    let (store, dir) = try makeStore()
    _ = dir
    let runner = try PipelineRunner(
      store: store, extractors: [CategoricalExtractor()],
      options: PipelineOptions(runID: "r1", coalesce: .perEvent))
    _ = try runner.run(
      events: [
        attempt("u1", 0, ip: "10.0.0.1", "success"),
        attempt("u1", 1, ip: "10.0.0.1", "failure"),
        attempt("u2", 2, ip: "10.0.0.1", "failure"),  // s 1, f 2: 2/5
        attempt("u3", 3, ip: "10.0.0.2", nil),  // never seen, no result: 1/2
        attempt("u4", 4, ip: nil, "failure"),  // no address: 1/2
      ], input: "mem")
    #expect(try score(store, "u1") == 2.0 / 4)  // s 1, f 1
    #expect(try score(store, "u2") == 2.0 / 5)
    #expect(try score(store, "u3") == 0.5)
    #expect(try score(store, "u4") == 0.5)
    // The record is in the store: a second runner (another process) goes on from it.
    let next = try PipelineRunner(
      store: store, extractors: [CategoricalExtractor()],
      options: PipelineOptions(runID: "r2", coalesce: .perEvent))
    _ = try next.run(events: [attempt("u5", 5, ip: "10.0.0.1", "success")], input: "mem2")
    #expect(try score(store, "u5") == 3.0 / 6)  // s 2, f 2
  }

  @Test func longAddressesAreKeyedByHash() {
    #expect(SourceRecord.key("10.0.0.1") == "10.0.0.1")
    let long = String(repeating: "a", count: 65)
    #expect(SourceRecord.key(long) == "#" + String(stableHash(long), radix: 16))
    #expect(SourceRecord(failures: 3, successes: 1).reputation == 2.0 / 6)
  }
}
