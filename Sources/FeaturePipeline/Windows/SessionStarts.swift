/// Per session of the records in a user's window: how many records it has there and the time
/// of its first one, so `session_duration` needs no scan. A record leaving the window (always
/// the oldest) moves its session's start to the session's next record, found by scanning
/// forward from it: the records between two events of one session.
struct SessionStarts: Sendable {
  private var sessions: [UInt64: (count: Int32, first: Int64)] = [:]

  /// No sessions.
  init() {}

  /// The time of the first record of `session` in the window; nil when none has it.
  func first(_ session: UInt64) -> Int64? { sessions[session]?.first }

  /// After `r` was inserted in the window.
  mutating func inserted(_ r: EventRecord) {
    guard r.session != 0 else { return }
    if let s = sessions[r.session] {
      sessions[r.session] = (s.count + 1, min(s.first, r.time))
    } else {
      sessions[r.session] = (1, r.time)
    }
  }

  /// Before `records[i]`, the oldest record of the window, leaves it.
  mutating func dropping(_ i: Int, _ records: [EventRecord]) {
    let id = records[i].session
    guard id != 0, let s = sessions[id] else { return }
    guard s.count > 1 else {
      sessions[id] = nil
      return
    }
    var j = i + 1
    while records[j].session != id { j += 1 }
    sessions[id] = (s.count - 1, records[j].time)
  }
}
