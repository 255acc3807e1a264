/// The optional "extra" part of a chain entry: lineage inputs and note, by interned ids.
///
/// ```
/// varint inputCount
/// input*: u8 kind; 0 → varint featureId, varint entityId, varint version; 1 → varint symbolId
/// varint noteLength, note (UTF-8)
/// ```
struct LineageExtra: Equatable {
  enum Input: Equatable {
    case version(feature: UInt64, entity: UInt64, version: UInt64)
    case raw(symbol: UInt64)
  }

  var inputs: [Input]
  var note: String

  var isEmpty: Bool { inputs.isEmpty && note.isEmpty }

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
    guard r.isAtEnd else { throw DecodeError("trailing bytes after lineage note") }
    return LineageExtra(inputs: inputs, note: note)
  }
}
