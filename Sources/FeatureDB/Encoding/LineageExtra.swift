/// The optional "extra" part of a chain entry: lineage inputs and note, by interned ids, and the
/// rollbacks that covered the version.
///
/// ```
/// varint inputCount
/// input*: u8 kind; 0 → varint featureId, varint entityId, varint version; 1 → varint symbolId
/// varint noteLength, note (UTF-8)
/// [varint statusCount, varint operation*]   (format 2; absent when there are none)
/// ```
/// The status list names, in order, every rollback that covered the version; an undo does not
/// remove its rollback from the list (the operations log records the undo). docs/format.md,
/// *Lineage extra*.
struct LineageExtra: Equatable {
  enum Input: Hashable {
    case version(feature: UInt64, entity: UInt64, version: UInt64)
    case raw(symbol: UInt64)
  }

  var inputs: [Input]
  var note: String
  /// The rollbacks that covered the version, in the order they were applied.
  var statusChanges: [UInt64] = []

  var isEmpty: Bool { inputs.isEmpty && note.isEmpty && statusChanges.isEmpty }

  func encoded() -> [UInt8] {
    var w = ByteWriter()
    w.varint(UInt64(inputs.count))
    for input in inputs {
      switch input {
      case .version(let f, let e, let v):
        w.byte(0)
        w.varint(f)
        w.varint(e)
        w.varint(v)
      case .raw(let s):
        w.byte(1)
        w.varint(s)
      }
    }
    w.lengthPrefixed(Array(note.utf8))
    if !statusChanges.isEmpty {
      w.varint(UInt64(statusChanges.count))
      for op in statusChanges { w.varint(op) }
    }
    return w.bytes
  }

  static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> LineageExtra {
    var r = ByteReader(bytes)
    let n = try r.count(limit: r.remaining)
    var inputs: [Input] = []
    for _ in 0..<n {
      switch try r.byte() {
      case 0:
        inputs.append(
          .version(feature: try r.varint(), entity: try r.varint(), version: try r.varint()))
      case 1: inputs.append(.raw(symbol: try r.varint()))
      case let k: throw DecodeError("unknown lineage input kind \(k)")
      }
    }
    let noteBytes = try r.lengthPrefixed()
    guard let note = String(validating: noteBytes, as: UTF8.self) else {
      throw DecodeError("lineage note is not UTF-8")
    }
    var changes: [UInt64] = []
    if !r.isAtEnd {
      let count = try r.count(limit: r.remaining)
      guard count > 0 else { throw DecodeError("empty status list") }
      for _ in 0..<count { changes.append(try r.varint()) }
    }
    guard r.isAtEnd else { throw DecodeError("trailing bytes after status list") }
    return LineageExtra(inputs: inputs, note: note, statusChanges: changes)
  }
}
