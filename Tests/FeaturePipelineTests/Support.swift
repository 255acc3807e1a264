import FeatureDB
import Foundation
@_exported import TestSupport

@testable import FeaturePipeline

/// 2026-01-05T00:00:00Z, a Monday, plus an offset.
let monday = Timestamp(iso8601: "2026-01-05T00:00:00Z")!

func ts(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

nonisolated(unsafe) private var eventCounter = 0

/// An event of `user` at `time`.
func event(
  _ time: Timestamp, _ type: String = "page_view", session: String? = nil, id: String? = nil,
  user: String = "u1", _ data: [String: EventValue] = [:]
) -> BehaviorEvent {
  eventCounter += 1
  return BehaviorEvent(
    eventID: id ?? "e\(eventCounter)", userID: user, sessionID: session, timestamp: time,
    eventType: type, data: data)
}

/// The values `extractor` gives at the last of `events` (all of one user, folded in order), by
/// feature name.
func evaluate<E: FeatureExtractor>(
  _ extractor: E, _ events: [BehaviorEvent], at time: Timestamp? = nil
)
  -> [String: FeatureValue]
{
  var window = EventWindow()
  var state = E.State()
  for e in events {
    let r = EventRecord(e)
    window.insert(r, capacity: 10_000)
    extractor.update(&state, with: e, record: r)
  }
  let t = time ?? events.map(\.timestamp).max()!
  window.move(to: t.microseconds)
  let context = ExtractionContext(
    time: t, event: events.last!, window: window, end: window.end(atOrBefore: t.microseconds))
  var values: [FeatureValue] = []
  extractor.extract(context, state: state, into: &values)
  precondition(values.count == extractor.features.count)
  return Dictionary(uniqueKeysWithValues: zip(extractor.features.map(\.name), values))
}

/// Every version of every pipeline feature of `users` (value, times, lineage but write time),
/// every user's state blob, as comparable lines.
func dump(_ store: FeatureStore, features: [String], users: [String], namespace: String) throws
  -> [String]
{
  var lines: [String] = []
  for u in users {
    for f in features {
      for v in try store.history(f, u, includeRetracted: true) {
        lines.append(
          "\(f):\(u)@\(v.version) \(v.value.map(String.init(describing:)) ?? "-") \(v.eventTime) "
            + "\(v.lineage.producer ?? "-") \(v.lineage.run ?? "-") \(v.lineage.source ?? "-") "
            + "\(v.lineage.inputs) \(v.status)")
      }
    }
    lines.append("state \(u) \(try store.state(entity: u, namespace: namespace) ?? [])")
  }
  return lines
}

/// The dumps (``dump(_:features:users:namespace:)``) of the features and states of the pipeline
/// with `prefix` for `user0` … `user<users − 1>` in two stores, opened read-only.
func pipelineDumps(_ reference: String, _ other: String, users: Int, prefix: String = "user")
  throws -> (
    reference: [String], other: [String]
  )
{
  let a = try FeatureStore(path: reference, options: StoreOptions(readOnly: true))
  let b = try FeatureStore(path: other, options: StoreOptions(readOnly: true))
  let runner = try PipelineRunner(store: a, options: PipelineOptions(prefix: prefix))
  let ids = (0..<users).map { "user\($0)" }
  return (
    try dump(a, features: runner.featureNames, users: ids, namespace: runner.namespace),
    try dump(b, features: runner.featureNames, users: ids, namespace: runner.namespace)
  )
}

/// `events` as JSON Lines (keys sorted).
func jsonLines(_ events: [BehaviorEvent]) throws -> Data {
  let encoder = JSONEncoder()
  encoder.outputFormatting = [.sortedKeys]
  var data = Data()
  for e in events {
    data.append(try encoder.encode(e))
    data.append(10)
  }
  return data
}

/// Writes `events` as JSON Lines.
func writeJSONLines(_ events: [BehaviorEvent], to path: String) throws {
  try jsonLines(events).write(to: URL(fileURLWithPath: path))
}

/// The reference the fast event parser is tested against.
extension EventDecoder {
  /// The same with `JSONDecoder` (the reference the fast parser is tested against).
  func decodeWithFoundation(_ bytes: ArraySlice<UInt8>, line: Int) throws(PipelineError)
    -> BehaviorEvent
  {
    do {
      return try JSONDecoder().decode(BehaviorEvent.self, from: Data(bytes))
    } catch let error as DecodingError {
      throw .badEvent(line: line, reason: Self.reason(error, bytes))
    } catch {
      throw .badEvent(line: line, reason: "\(error)")
    }
  }

  static func reason(_ error: DecodingError, _ bytes: ArraySlice<UInt8>) -> String {
    func path(_ p: [any CodingKey]) -> String { p.map(\.stringValue).joined(separator: ".") }
    switch error {
    case .keyNotFound(let key, let c):
      return
        "missing required field '\((c.codingPath + [key]).map(\.stringValue).joined(separator: "."))'"
    case .typeMismatch(_, let c), .valueNotFound(_, let c):
      return "wrong value type for '\(path(c.codingPath))'"
    case .dataCorrupted(let c):
      if c.codingPath.isEmpty {
        if String(validating: bytes, as: UTF8.self) == nil { return "invalid UTF-8" }
        return "malformed JSON"
      }
      return "\(path(c.codingPath)): \(c.debugDescription)"
    @unknown default:
      return "\(error)"
    }
  }
}
