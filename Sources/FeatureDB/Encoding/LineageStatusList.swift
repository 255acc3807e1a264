/// The status list at the end of an encoded ``LineageExtra`` (the rollbacks that retracted a
/// version), found by skipping the inputs and the note before it: what a retraction reads and
/// rewrites for every entry it covers, without decoding those or allocating.
struct LineageStatusList {
  /// The extra's bytes before the list (input count, inputs, note), copied unchanged.
  let head: UnsafeRawBufferPointer
  /// The list's operation ids, encoded (after its count).
  let ids: UnsafeRawBufferPointer
  let count: Int

  /// The list of an entry's extra part (`nil`: the entry has none, so no inputs, note or list).
  init(_ extra: UnsafeRawBufferPointer?) throws(DecodeError) {
    guard let extra else {
      let none = UnsafeRawBufferPointer(start: nil, count: 0)
      (head, ids, count) = (none, none, 0)
      return
    }
    var r = ByteReader(extra)
    for _ in 0..<(try r.count(limit: r.remaining)) {
      switch try r.byte() {
      case 0: for _ in 0..<3 { _ = try r.varint() }
      case 1: _ = try r.varint()
      case let k: throw DecodeError("unknown lineage input kind \(k)")
      }
    }
    _ = try r.lengthPrefixed()
    head = UnsafeRawBufferPointer(rebasing: extra[..<r.offset])
    guard !r.isAtEnd else {
      (ids, count) = (UnsafeRawBufferPointer(rebasing: extra[r.offset...]), 0)
      return
    }
    count = try r.count(limit: r.remaining)
    guard count > 0 else { throw DecodeError("empty status list") }
    let start = r.offset
    for _ in 0..<count { _ = try r.varint() }
    guard r.isAtEnd else { throw DecodeError("trailing bytes after status list") }
    ids = UnsafeRawBufferPointer(rebasing: extra[start...])
  }

  /// Whether an id of the list satisfies `predicate`.
  func contains(where predicate: (UInt64) -> Bool) -> Bool {
    var r = ByteReader(ids)
    // The ids were read once in `init`: these reads cannot fail.
    while !r.isAtEnd, let op = try? r.varint() {
      if predicate(op) { return true }
    }
    return false
  }

  /// Whether the list holds operation `op`.
  func contains(_ op: UInt64) -> Bool { contains { $0 == op } }

  /// Writes the extra part again, length-prefixed, with `op` (when given) appended to the list;
  /// writes nothing when that leaves it empty (an entry without an extra part).
  func writeLengthPrefixed(adding op: UInt64?, to w: inout ByteWriter) {
    let newCount = UInt64(count) + (op == nil ? 0 : 1)
    let headBytes = head.isEmpty ? 2 : head.count  // no extra: input count 0, note length 0
    guard newCount > 0 || !head.isEmpty else { return }
    var length = headBytes + ids.count
    if newCount > 0 { length += ByteWriter.varintSize(newCount) }
    if let op { length += ByteWriter.varintSize(op) }
    w.varint(UInt64(length))
    if head.isEmpty { w.append([0, 0]) } else { w.append(head) }
    guard newCount > 0 else { return }
    w.varint(newCount)
    w.append(ids)
    if let op { w.varint(op) }
  }
}
