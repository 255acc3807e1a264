import FeatureDB

/// A feature an extractor defines: its name (without the pipeline's prefix), type and meaning.
public struct FeatureSpec: Sendable, Hashable {
  /// The name without the pipeline's prefix (``PipelineOptions/prefix``).
  public var name: String
  /// The value type the feature is defined with.
  public var type: ValueType
  /// What a value means; the description of the feature's definition in the store.
  public var description: String
  /// Features of the same extractor, listed before this one, that its value is computed from:
  /// each of its versions names their current versions as lineage inputs.
  public var derivedFrom: [String]

  /// A feature `name` of `type` meaning `description`, computed from the features `derivedFrom`
  /// (default none).
  public init(
    _ name: String, _ type: ValueType, _ description: String, derivedFrom: [String] = []
  ) {
    self.name = name
    self.type = type
    self.description = description
    self.derivedFrom = derivedFrom
  }
}

/// What an extractor sees when it evaluates a user's features.
public struct ExtractionContext: Sendable {
  /// The instant the features are evaluated as of: the triggering event's time, or for a late
  /// event also the user's newest event time (see docs/pipeline.md, *How a run works*).
  public var time: Timestamp
  /// The event that triggered the evaluation.
  public var event: BehaviorEvent
  /// The user's recent events in time order, the triggering one included.
  public var window: EventWindow
  /// Index after the last record with time ≤ ``time`` (so `current` is `end - 1`).
  public var end: Int
  /// What the pipeline has seen of the triggering event's source IP (`data.source_ip`)
  /// across every user, this event included; empty when the event has none.
  public var source = SourceRecord()

  /// The last event at or before ``time``: the "current" event of the evaluation.
  public var current: EventRecord { window.records[end - 1] }

  /// Indices of the records in (time − w, time].
  public func range(_ w: TimeSpan) -> Range<Int> {
    window.end(atOrBefore: time.microseconds - w.microseconds)..<end
  }

  /// The aggregate of the records in (time − w, time] of `span`'s w, kept incrementally by the
  /// window (the runner moves it to ``time`` before extracting).
  @inline(__always)
  func aggregate(_ span: WindowSpan) -> SpanAggregate {
    precondition(window.spanTime == time.microseconds, "the window was not moved to \(time)")
    return window.aggregate(span)
  }
}

/// Per-user state an extractor keeps beyond the shared event window, persisted in the store
/// with the user's other state (keep it small and bounded).
public protocol ExtractorState: Sendable {
  /// The state of a user not seen yet.
  init()
  /// Appends the persisted form of the state to `writer`.
  func encode(into writer: inout StateWriter)
  /// Decodes what ``encode(into:)`` wrote; `reader` holds exactly those bytes.
  ///
  /// - Throws: ``PipelineError/corruptState(_:)`` when they do not decode.
  init(from reader: inout StateReader) throws(PipelineError)
}

/// An extractor without state of its own.
public struct NoState: ExtractorState, Hashable {
  /// The empty state.
  public init() {}
  /// Writes nothing.
  public func encode(into writer: inout StateWriter) {}
  /// Reads nothing.
  public init(from reader: inout StateReader) throws(PipelineError) {}
}

/// Turns a user's events into feature values. Implement it to add your own features:
///
/// ```swift
/// struct Clicks: FeatureExtractor {
///   let name = "extract.clicks"
///   let version = "1.0.0"
///   let features = [FeatureSpec("clicks_1h", .int, "click events in (t − 1 h, t]")]
///   func extract(_ c: ExtractionContext, state: NoState, into values: inout [FeatureValue]) {
///     values.append(.int(Int64(c.range(.hours(1)).count { c.window.records[$0].kind == .click })))
///   }
/// }
/// ```
///
/// Both steps must be pure (the same inputs give the same outputs, in any process): that is
/// what makes a resumed run write exactly what an uninterrupted one would.
public protocol FeatureExtractor: Sendable {
  /// The per-user state the extractor keeps; ``NoState`` (the default) for none.
  associatedtype State: ExtractorState = NoState
  /// Name, used as the producer of the versions it writes: `name@version`.
  var name: String { get }
  /// Version, e.g. `1.0.0`; change it with the formulas (users' stored states of the extractors
  /// start afresh when any name or version changes).
  var version: String { get }
  /// The features, in the order ``extract(_:state:into:)`` appends their values.
  var features: [FeatureSpec] { get }
  /// Folds an event into the extractor's state (in arrival order; the default does nothing).
  func update(_ state: inout State, with event: BehaviorEvent, record: EventRecord)
  /// Appends one value per feature, as of `context.time`.
  func extract(_ context: ExtractionContext, state: State, into values: inout [FeatureValue])
}

extension FeatureExtractor {
  /// Does nothing: for extractors whose features read only the window.
  public func update(_ state: inout State, with event: BehaviorEvent, record: EventRecord) {}

  /// `name@version`.
  public var producer: String { "\(name)@\(version)" }

  /// A fresh state of this extractor for one user, in its slot.
  func makeSlot() -> any ExtractorSlot { TypedSlot(self, State()) }

  /// A user's state decoded from `reader`, in its slot.
  func decodeSlot(_ reader: inout StateReader) throws(PipelineError) -> any ExtractorSlot {
    TypedSlot(self, try State(from: &reader))
  }
}

/// One user's state of one extractor, with the extractor that reads and updates it: the
/// runner calls it without knowing the state's type, and the state changes in place (no copy
/// of its buffers at every event).
protocol ExtractorSlot: AnyObject {
  func update(_ event: BehaviorEvent, _ record: EventRecord)
  func extract(_ context: ExtractionContext, into values: inout [FeatureValue])
  func encode(into writer: inout StateWriter)
}

/// The ``ExtractorSlot`` of an extractor of type `E`.
final class TypedSlot<E: FeatureExtractor>: ExtractorSlot {
  let extractor: E
  var state: E.State

  init(_ extractor: E, _ state: E.State) {
    self.extractor = extractor
    self.state = state
  }

  func update(_ event: BehaviorEvent, _ record: EventRecord) {
    extractor.update(&state, with: event, record: record)
  }

  func extract(_ context: ExtractionContext, into values: inout [FeatureValue]) {
    extractor.extract(context, state: state, into: &values)
  }

  func encode(into writer: inout StateWriter) { state.encode(into: &writer) }
}

/// The built-in extractors (docs/pipeline.md lists every formula).
public enum BuiltinExtractors {
  /// Every built-in extractor.
  public static var all: [any FeatureExtractor] {
    [
      TemporalExtractor(), WindowedExtractor(), BehavioralExtractor(), CategoricalExtractor(),
      StatisticalExtractor(),
    ]
  }

  /// The built-in extractors named in `names` (by name, with or without the `extract.` prefix);
  /// throws ``PipelineError/invalidConfiguration(_:)`` for an unknown name.
  public static func named(_ names: [String]) throws(PipelineError) -> [any FeatureExtractor] {
    try names.map { (n: String) throws(PipelineError) -> any FeatureExtractor in
      guard let e = all.first(where: { $0.name == n || $0.name == "extract." + n }) else {
        throw .invalidConfiguration(
          "unknown extractor '\(n)' (built in: \(all.map(\.name).joined(separator: ", ")))")
      }
      return e
    }
  }
}
