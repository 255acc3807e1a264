import FeatureDB
import Foundation
import Testing

/// `POST /push` and `POST /write-to-online-store` write versions with lineage, a request's rows
/// in one transaction.
@Suite struct FeastWriteTests {
  let fixture: Fixture
  init() throws { fixture = try Fixture() }

  @Test func pushWritesVersionsWithLineage() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/push",
        #"{"push_source_name":"driver","df":{"driver_id":[2001,2002],"trips":[3,4],"name":["Bo",null],"event_timestamp":["2026-02-01 10:00:00+00:00","2026-02-01T11:00:00"]},"to":"online_and_offline"}"#,
        headers: [.init("FeatureDB-Producer")!: "pusher@2"])
    }
    #expect(reply.status == .ok)
    #expect(reply.text.isEmpty)
    let run = try #require(reply.headers[.init("FeatureDB-Run")!])
    let v = try #require(try fixture.store.latestVersion("driver.trips", "2002"))
    #expect(v.value == .int(4))
    #expect(v.eventTime == Timestamp(iso8601: "2026-02-01T11:00:00Z"))
    #expect(v.lineage.producer == "pusher@2")
    #expect(v.lineage.run == run)
    #expect(v.lineage.source == "http POST /push push source driver")
    // A null cell is a delete, read back as NULL_VALUE.
    #expect(try fixture.store.latestVersion("driver.name", "2002")?.isTombstone == true)
    #expect(try await fixture.store.latest("driver.name", "2001") == .string("Bo"))
    // One run for the request: every version it wrote.
    #expect(try fixture.store.runVersions(run).count == 4)
  }

  @Test func aCallerNamedRunIsUsed() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/write-to-online-store",
        #"{"feature_view_name":"driver","df":{"driver_id":["3001"],"conv_rate":[0.25],"event_timestamp":["2026-03-01T00:00:00"],"created":[null]},"allow_registry_cache":false}"#,
        headers: [.init("FeatureDB-Run")!: "nightly-7"])
    }
    #expect(reply.status == .ok)
    #expect(reply.text == "null")
    #expect(try fixture.store.latestVersion("driver.conv_rate", "3001")?.lineage.run == "nightly-7")
  }

  @Test func aBadCellRejectsTheWholeRequest() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/push",
        #"{"push_source_name":"driver","df":{"driver_id":["4001","4002"],"trips":[1,"many"]}}"#)
    }
    #expect(reply.status == .unprocessableContent)
    #expect(reply.errorMessage == "df.trips[1]: the feature's type is int, got a string")
    #expect(try await fixture.store.latest("driver.trips", "4001") == nil)
  }

  @Test func aColumnThatIsNoFeatureIsNamed() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/push", #"{"push_source_name":"driver","df":{"driver_id":["1"],"tripz":[1]}}"#)
    }
    #expect(reply.status == .unprocessableContent)
    #expect(reply.errorMessage.contains("driver_id, tripz"))
  }

  @Test func unknownPushSourceAndViewAreFeastsErrors() async throws {
    let (push, write, to) = try await fixture.withClient { client in
      (
        try await client.post("/push", #"{"push_source_name":"nope","df":{"id":["1"]}}"#),
        try await client.post(
          "/write-to-online-store", #"{"feature_view_name":"nope","df":{"id":["1"]}}"#),
        try await client.post(
          "/push", #"{"push_source_name":"driver","df":{"id":["1"]},"to":"moon"}"#)
      )
    }
    #expect(push.status == .unprocessableContent)
    #expect(push.feastClass == "PushSourceNotFoundException")
    #expect(write.status == .notFound)
    #expect(write.feastClass == "FeatureViewNotFoundException")
    #expect(to.status == .unprocessableContent)
    #expect(to.errorMessage.contains("'moon'"))
  }

  /// Concurrent pushes are committed together; the one the engine refuses (an entity id past
  /// its length limit) gets its error, and only it.
  @Test func concurrentPushesCommitAndOnlyTheBadOneFails() async throws {
    let count = 40
    let long = String(repeating: "x", count: 5_000)
    let statuses = try await fixture.withClient { client in
      try await withThrowingTaskGroup(of: Int.self) { group in
        for i in 0..<count {
          group.addTask {
            let reply = try await client.post(
              "/push",
              #"{"push_source_name":"driver","df":{"driver_id":["\#(i == 7 ? long : "c\(i)")"],"trips":[\#(i)]}}"#
            )
            return Int(reply.status.code)
          }
        }
        return try await group.reduce(into: [Int]()) { $0.append($1) }
      }
    }
    #expect(statuses.sorted() == Array(repeating: 200, count: count - 1) + [400])
    for i in 0..<count where i != 7 {
      #expect(try await fixture.store.latest("driver.trips", "c\(i)") == .int(Int64(i)))
    }
  }
}
