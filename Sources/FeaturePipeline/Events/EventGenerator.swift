import FeatureDB
import Foundation

/// A seeded stream of realistic behaviour events: users with sessions (login … logout), page
/// views, clicks, API calls and file accesses over a set of resources, data transfers,
/// purchases, admin actions by a few users, failures (more of them in bursts), and a few events
/// that arrive up to 2 minutes out of order. The same seed gives the same events on every
/// machine (SplitMix64, no `Hasher`, no clock).
///
/// ```swift
/// var generator = EventGenerator(users: 100, seed: 7)
/// let events = (0..<1_000).map { _ in generator.next() }
/// ```
public struct EventGenerator: Sendable {
  /// Number of users, at least 1 (`user0` … `user<users − 1>`, a few of them much more active).
  public let users: Int
  /// The seed; event ids are `evt-<seed>-<n>`.
  public let seed: UInt64
  /// Time of the next event, µs.
  private var clock: Int64
  private var rng: UInt64
  private var counter = 0
  private var sessions: [Int: (id: Int, events: Int)] = [:]
  private var held: BehaviorEvent?

  /// Events start at `start` (default 2026-01-05T00:00:00Z, a Monday), about `rate` per second.
  public init(
    users: Int, seed: UInt64, start: Timestamp = Timestamp(microseconds: 1_767_571_200_000_000),
    rate: Double = 50
  ) {
    self.users = max(1, users)
    self.seed = seed
    self.clock = start.microseconds
    self.rng = seed
    self.meanGap = 1_000_000 / rate
  }

  private let meanGap: Double

  private mutating func random() -> UInt64 {
    rng &+= 0x9e37_79b9_7f4a_7c15
    return mix64(rng)
  }
  private mutating func uniform() -> Double { Double(random() >> 11) / Double(1 << 53) }
  private mutating func int(_ n: Int) -> Int { Int(random() % UInt64(n)) }

  static let pages = (0..<40).map { "/page/\($0)" }
  static let endpoints = (0..<25).map { "/api/v1/endpoint\($0)" }
  static let files = (0..<60).map { "/data/file\($0).csv" }
  static let devices = ["laptop-mac", "laptop-win", "phone-ios", "phone-android", "tablet"]
  static let cities = [
    ("DE", "Berlin"), ("FR", "Paris"), ("US", "New York"), ("JP", "Tokyo"), ("BR", "Sao Paulo"),
  ]

  /// The next event.
  public mutating func next() -> BehaviorEvent {
    // Occasionally hold an event back and emit it after the next one (out of order by < 2 min).
    if let h = held, uniform() < 0.5 {
      held = nil
      return h
    }
    var event = make()
    if held == nil, uniform() < 0.01 {
      held = event
      event = make()
    }
    return event
  }

  private mutating func make() -> BehaviorEvent {
    clock += Int64(-meanGap * log1p(-uniform()))  // exponential gaps
    // A skewed choice of user: a few heavy users, many light ones.
    let u = uniform() < 0.2 ? int(max(1, users / 20)) : int(users)
    let user = "user\(u)"
    counter += 1
    let id = "evt-\(seed)-\(counter)"
    var session = sessions[u]
    var type: String
    var data: [String: EventValue] = [:]
    if session == nil {
      type = "login"
      session = (counter, 0)
      data["result"] = uniform() < 0.08 ? "failure" : "success"
    } else if session!.events > 8 && uniform() < 0.15 {
      type = "logout"
    } else {
      let r = uniform()
      switch r {
      case ..<0.30:
        type = "page_view"
        data["resource"] = .string(Self.pages[int(Self.pages.count)])
      case ..<0.45:
        type = "click"
        data["resource"] = .string(Self.pages[int(Self.pages.count)])
      case ..<0.65:
        type = "api_call"
        data["resource"] = .string(Self.endpoints[int(Self.endpoints.count)])
        data["result"] = uniform() < 0.05 ? "failure" : "success"
      case ..<0.78:
        type = "file_access"
        data["resource"] = .string(Self.files[int(Self.files.count)])
        data["result"] = uniform() < 0.03 ? "failure" : "success"
      case ..<0.86:
        type = "data_transfer"
        data["bytes"] = .number(Double(1_000 + int(5_000_000)))
      case ..<0.94:
        type = "purchase"
        data["amount"] = .number(Double(100 + int(20_000)) / 100)
        data["value"] = data["amount"]
      case ..<0.97 where u % 10 == 0:
        type = "admin_action"
        data["resource"] = .string("admin/\(int(5))")
      default:
        type = "page_view"
        data["resource"] = .string(Self.pages[int(Self.pages.count)])
      }
    }
    session!.events += 1
    let sessionID = "s\(session!.id)"
    sessions[u] = type == "logout" ? nil : session
    let device = Self.devices[(u + (uniform() < 0.05 ? 1 : 0)) % Self.devices.count]
    let city = Self.cities[(u / 7 + (uniform() < 0.03 ? 1 : 0)) % Self.cities.count]
    data["source_ip"] = .string("10.\(u % 200).\(u / 200 % 250).\(uniform() < 0.1 ? int(250) : 1)")
    data["user_agent"] = .string("agent/\(device)")
    return BehaviorEvent(
      eventID: id, userID: user, sessionID: sessionID, timestamp: Timestamp(microseconds: clock),
      eventType: type, source: "web", data: data,
      deviceInfo: ["device_id": .string("\(user)-\(device)"), "type": .string(device)],
      locationInfo: ["country": .string(city.0), "city": .string(city.1)])
  }
}
