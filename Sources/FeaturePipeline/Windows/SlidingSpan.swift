/// One window length over a user's records: the aggregate of the records at indices
/// `lo..<hi` of the window, moved to (t − span, t] by adding the records that enter and
/// removing those that leave. In time order each record enters and leaves once, so an event
/// costs O(1) amortized; an evaluation at an earlier time (a late event) costs the records
/// between the two positions.
struct SlidingSpan: Sendable {
  /// The window length, µs.
  let span: Int64
  /// The records `lo..<hi` are in ``aggregate``.
  private(set) var lo = 0
  private(set) var hi = 0
  private(set) var aggregate: SpanAggregate

  /// An empty span of `span` µs keeping `parts`.
  init(span: Int64, parts: SpanAggregate.Parts) {
    self.span = span
    aggregate = SpanAggregate(parts)
  }

  /// After a record was inserted at `i` of `records`: keeps the same records in the aggregate,
  /// adding the new one if it lies between two of them.
  mutating func inserted(at i: Int, _ records: [EventRecord], _ traits: [RecordTraits]) {
    if i < lo {
      lo += 1
      hi += 1
    } else if i < hi {
      hi += 1
      aggregate.apply(records[i], traits[i], 1)
    }
  }

  /// Before the first `k` records leave the window.
  mutating func dropping(first k: Int, _ records: [EventRecord], _ traits: [RecordTraits]) {
    for i in lo..<max(lo, min(k, hi)) { aggregate.apply(records[i], traits[i], -1) }
    lo = max(lo - k, 0)
    hi = max(hi - k, 0)
  }

  /// After the traits of record `i` changed from `old`.
  mutating func retraited(at i: Int, from old: RecordTraits, to new: RecordTraits) {
    if i >= lo && i < hi { aggregate.rechange(old, new) }
  }

  /// Moves to the records with time in (t − span, t].
  mutating func move(to t: Int64, _ records: [EventRecord], _ traits: [RecordTraits]) {
    let start = t &- span
    while hi < records.count, records[hi].time <= t {
      aggregate.apply(records[hi], traits[hi], 1)
      hi += 1
    }
    while lo < hi, records[lo].time <= start {
      aggregate.apply(records[lo], traits[lo], -1)
      lo += 1
    }
    while lo > 0, records[lo - 1].time > start {
      lo -= 1
      aggregate.apply(records[lo], traits[lo], 1)
    }
    while hi > lo, records[hi - 1].time > t {
      hi -= 1
      aggregate.apply(records[hi], traits[hi], -1)
    }
    if aggregate.overflowed { aggregate.resum(records[lo..<hi]) }
  }
}
