import FeatureDB
import Foundation
import Testing

/// `POST /get-online-features` answers as Feast's feature server does.
@Suite struct FeastReadTests {
  let fixture: Fixture
  init() throws { fixture = try Fixture() }

  @Test func columnMajorWithTheJoinKeyFirst() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/get-online-features",
        #"{"features":["driver:conv_rate","driver:trips"],"entities":{"driver_id":[1001,"1002",1003]}}"#
      )
    }
    #expect(reply.status == .ok)
    let metadata = reply.object["metadata"] as? [String: Any]
    #expect(metadata?["feature_names"] as? [String] == ["driver_id", "conv_rate", "trips"])
    let results = try #require(reply.object["results"] as? [[String: Any]])
    #expect(results.count == 3)
    // The join key's column echoes the ids as given, PRESENT, with the epoch.
    #expect((results[0]["values"] as? [Any])?.count == 3)
    #expect(results[0]["statuses"] as? [String] == ["PRESENT", "PRESENT", "PRESENT"])
    #expect(
      results[0]["event_timestamps"] as? [String]
        == Array(repeating: "1970-01-01T00:00:00Z", count: 3))
    // 1001 has a value, 1002's latest version is a delete, 1003 has nothing.
    #expect(results[1]["statuses"] as? [String] == ["PRESENT", "NULL_VALUE", "NOT_FOUND"])
    #expect(
      results[1]["event_timestamps"] as? [String] == [
        "2026-01-05T10:00:00.123Z", "2026-01-06T10:00:00Z", "1970-01-01T00:00:00Z",
      ])
    let values = try #require(results[1]["values"] as? [Any])
    #expect(values[0] as? Double == 0.5)
    #expect(values[1] is NSNull && values[2] is NSNull)
    #expect(results[2]["statuses"] as? [String] == ["PRESENT", "NOT_FOUND", "NOT_FOUND"])
  }

  @Test func theJoinKeyColumnKeepsTheTypesGiven() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/get-online-features",
        #"{"features":["driver:trips"],"entities":{"driver_id":[1001,"1001"]}}"#)
    }
    #expect(reply.text.contains(#"{"values":[1001,"1001"],"statuses":["PRESENT","PRESENT"]"#))
    #expect(reply.text.contains(#""values":[42,42],"statuses":["PRESENT","PRESENT"]"#))
  }

  @Test func valuesAreTypedJSON() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/get-online-features",
        #"{"features":["driver:trips","driver:conv_rate","driver:active","driver:name","driver:vec"],"entities":{"driver_id":["1001"]}}"#
      )
    }
    #expect(
      reply.text.contains(
        #"{"values":[42],"statuses":["PRESENT"],"event_timestamps":["2026-01-06T10:00:00Z"]},{"values":[0.5],"#
      ))
    #expect(reply.text.contains(#"{"values":[true],"#))
    #expect(reply.text.contains(#"{"values":["Ana"],"#))
    #expect(reply.text.contains(#"{"values":[[0.25,0.5,1.0]],"#))
  }

  @Test func anExpiredValueIsOutsideMaxAgeAndNotServed() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/get-online-features", #"{"features":["driver:stale"],"entities":{"driver_id":["1001"]}}"#)
    }
    #expect(
      reply.text.contains(
        #"{"values":[null],"statuses":["OUTSIDE_MAX_AGE"],"event_timestamps":["2001-01-01T00:00:00Z"]}"#
      ))
  }

  @Test func fullFeatureNamesAreViewDoubleUnderscoreName() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/get-online-features",
        #"{"features":["driver:trips"],"entities":{"driver_id":["1001"]},"full_feature_names":true}"#
      )
    }
    let metadata = reply.object["metadata"] as? [String: Any]
    #expect(metadata?["feature_names"] as? [String] == ["driver_id", "driver__trips"])
  }

  @Test func aFeatureServiceIsAFeatureGroup() async throws {
    let reply = try await fixture.withClient { client in
      try await client.post(
        "/get-online-features",
        #"{"feature_service":"driver_service","entities":{"driver_id":["1001"]}}"#)
    }
    let metadata = reply.object["metadata"] as? [String: Any]
    #expect(metadata?["feature_names"] as? [String] == ["driver_id", "conv_rate", "trips"])
  }

  @Test func unknownNamesAre404WithFeastsErrorBody() async throws {
    let (feature, service) = try await fixture.withClient { client in
      (
        try await client.post(
          "/get-online-features", #"{"features":["driver:nope"],"entities":{"driver_id":["1"]}}"#),
        try await client.post(
          "/get-online-features", #"{"feature_service":"nope","entities":{"driver_id":["1"]}}"#)
      )
    }
    #expect(feature.status == .notFound)
    #expect(feature.feastClass == "FeastObjectNotFoundException")
    #expect(feature.errorMessage.contains("driver:nope"))
    #expect(service.status == .notFound)
    #expect(service.feastClass == "FeatureServiceNotFoundException")
  }

  /// Resolved references are reused for the same list only: another list, then a malformed
  /// one, on the same server get their own answers.
  @Test func eachListOfReferencesGetsItsOwnColumns() async throws {
    let replies = try await fixture.withClient { client in
      var replies: [Reply] = []
      for features in [
        #"["driver:trips"]"#, #"["driver:trips"]"#, #"["driver:name","driver:trips"]"#,
        #"["trips"]"#,
      ] {
        replies.append(
          try await client.post(
            "/get-online-features",
            #"{"features":\#(features),"entities":{"driver_id":["1001"]}}"#))
      }
      return replies
    }
    func names(_ reply: Reply) -> [String]? {
      (reply.object["metadata"] as? [String: Any])?["feature_names"] as? [String]
    }
    #expect(names(replies[0]) == ["driver_id", "trips"])
    #expect(names(replies[1]) == ["driver_id", "trips"])
    #expect(names(replies[2]) == ["driver_id", "name", "trips"])
    #expect(replies[2].text.contains(#"{"values":["Ana"],"#))
    #expect(replies[3].status == .unprocessableContent)
  }

  @Test func healthIs200() async throws {
    let reply = try await fixture.withClient { try await $0.send(.get, "/health") }
    #expect(reply.status == .ok)
  }
}
