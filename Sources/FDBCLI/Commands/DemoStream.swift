import FeatureDB
import FeaturePipeline

/// The demo's input: `count` events of a seeded ``EventGenerator``, summarised as the pipeline
/// reads them (how many each user had, the busiest users with their last event, the time
/// span), so the tour can pick its users without keeping the events.
///
/// ```swift
/// let stream = DemoStream(users: 250, events: 5_000, seed: 7, start: start)
/// let report = try runner.run(events: stream, input: "demo-events-0")
/// print(stream.busiest.first?.user ?? "-")
/// ```
final class DemoStream: Sequence, IteratorProtocol {
  /// A user among the busiest: its event count and its last event in stream order.
  struct Busy {
    /// The user id.
    var user: String
    /// Its events so far.
    var events: Int
    /// Its latest event in stream order.
    var last: BehaviorEvent
  }

  /// The seeded source of the events.
  private var generator: EventGenerator
  /// How many events the stream holds.
  private let count: Int
  /// How many users ``busiest`` keeps.
  private let keep: Int
  /// Events so far per user.
  private var perUser: [String: Int] = [:]
  /// Events handed out so far.
  private(set) var events = 0
  /// The earliest and latest event times so far (the generator emits a few events up to 2
  /// minutes out of order).
  private(set) var first: Timestamp?
  private(set) var last: Timestamp?
  /// The `keep` users with the most events so far, most first; of users with as many, the one
  /// that reached that count first comes first.
  private(set) var busiest: [Busy] = []

  /// `events` events of `users` users from `start` on, generated with `seed`; ``busiest``
  /// keeps `keep` users.
  init(users: Int, events: Int, seed: UInt64, start: Timestamp, keep: Int = 3) {
    generator = EventGenerator(users: users, seed: seed, start: start)
    count = events
    self.keep = keep
  }

  /// The next generated event, or nil after `count`.
  func next() -> BehaviorEvent? {
    guard events < count else { return nil }
    let event = generator.next()
    events += 1
    first = Swift.min(first ?? event.timestamp, event.timestamp)
    last = Swift.max(last ?? event.timestamp, event.timestamp)
    let n = perUser[event.userID, default: 0] + 1
    perUser[event.userID] = n
    if let i = busiest.firstIndex(where: { $0.user == event.userID }) {
      busiest.remove(at: i)
    } else if busiest.count == keep {
      guard n > busiest[keep - 1].events else { return event }
      busiest.removeLast()
    }
    let at = busiest.firstIndex { $0.events < n } ?? busiest.count
    busiest.insert(Busy(user: event.userID, events: n, last: event), at: at)
    return event
  }

  /// The bad run's input: for each busiest user, a data transfer of `bytes` at `time` (one
  /// microsecond apart), sent from the device, place and session of the user's last event.
  func badTransfers(bytes: Double, at time: Timestamp, seed: UInt64) -> [BehaviorEvent] {
    busiest.enumerated().map { i, busy in
      var event = busy.last
      event.eventID = "evt-\(seed)-bad-\(i + 1)"
      event.timestamp = time + TimeSpan(microseconds: Int64(i))
      event.eventType = "data_transfer"
      event.data = event.data.filter { $0.key == "source_ip" || $0.key == "user_agent" }
      event.data["bytes"] = .number(bytes)
      return event
    }
  }
}
