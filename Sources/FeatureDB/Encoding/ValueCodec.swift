/// Value bytes for each ``ValueType``, as stored inline in a chain entry or in the `values` table.
///
/// - int: zigzag LEB128 varint
/// - double: 8 bytes, IEEE 754 bit pattern, little-endian
/// - bool: 1 byte, 0 or 1
/// - string: UTF-8 bytes; bytes: the bytes
/// - embedding (float32): `dims` × 4 bytes, little-endian IEEE 754 floats
///
/// Variable-length types are length-prefixed (varint) when stored inline.
enum ValueCodec {
  /// Payloads up to this size are stored inline in the chain entry; larger ones in `values`.
  static let inlineLimit = 64

  /// Whether values of `type` have a fixed inline encoding without a length prefix.
  static func isFixed(_ type: ValueType) -> Bool {
    switch type {
    case .int, .double, .bool: true
    default: false
    }
  }

  /// The payload bytes of `value` (no length prefix). `value` must already match `type`.
  static func payload(_ value: FeatureValue) -> [UInt8] {
    var w = ByteWriter(capacity: 16)
    write(value, to: &w)
    return w.bytes
  }

  /// Appends the payload bytes of `value` (no length prefix).
  static func write(_ value: FeatureValue, to w: inout ByteWriter) {
    switch value {
    case .int(let v): w.signedVarint(v)
    case .double(let v): w.uint64LE(v.bitPattern)
    case .bool(let v): w.byte(v ? 1 : 0)
    case .string(let s): w.append(s.utf8)
    case .bytes(let b): w.append(b)
    case .embedding(let v):
      w.bytes.reserveCapacity(v.count * 4)
      for f in v { w.uint32LE(f.bitPattern) }
    }
  }

  /// Appends `value` as stored inline: fixed types bare, others length-prefixed.
  /// Returns false (and appends nothing) when the payload is larger than ``inlineLimit``.
  static func writeInline(_ value: FeatureValue, to w: inout ByteWriter) -> Bool {
    switch value {
    case .int, .double, .bool:
      write(value, to: &w)
    case .string(let s) where s.utf8.count <= inlineLimit:
      w.lengthPrefixed(s.utf8)
    case .bytes(let b) where b.count <= inlineLimit:
      w.lengthPrefixed(b)
    case .embedding(let v) where v.count * 4 <= inlineLimit:
      w.varint(UInt64(v.count * 4))
      write(value, to: &w)
    default:
      return false
    }
    return true
  }

  /// Reads an inline value of `type` from `reader`.
  static func readInline(_ type: ValueType, _ reader: inout ByteReader) throws(DecodeError) -> FeatureValue {
    switch type {
    case .int: return .int(try reader.signedVarint())
    case .double: return .double(Double(bitPattern: try reader.uint64LE()))
    case .bool: return try bool(reader.byte())
    default: return try decode(type, reader.lengthPrefixed())
    }
  }

  /// Skips an inline value of `type`.
  static func skipInline(_ type: ValueType, _ reader: inout ByteReader) throws(DecodeError) {
    switch type {
    case .int: _ = try reader.varint()
    case .double: try reader.skip(8)
    case .bool: try reader.skip(1)
    default: _ = try reader.lengthPrefixed()
    }
  }

  /// Decodes a whole payload of `type`.
  static func decode(_ type: ValueType, _ payload: UnsafeRawBufferPointer) throws(DecodeError) -> FeatureValue {
    var r = ByteReader(payload)
    let value: FeatureValue
    switch type {
    case .int: value = .int(try r.signedVarint())
    case .double: value = .double(Double(bitPattern: try r.uint64LE()))
    case .bool: value = try bool(r.byte())
    case .string:
      guard let s = String(validating: payload, as: UTF8.self) else {
        throw DecodeError("string value is not valid UTF-8")
      }
      return .string(s)
    case .bytes: return .bytes(Array(payload))
    case .embedding(let dims):
      guard payload.count == dims * 4 else {
        throw DecodeError("embedding has \(payload.count) bytes, expected \(dims * 4)")
      }
      return .embedding(
        [Float](unsafeUninitializedCapacity: dims) { out, n in
          for i in 0..<dims {
            out[i] = Float(bitPattern: UInt32(littleEndian: payload.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
          }
          n = dims
        })
    }
    guard r.isAtEnd else { throw DecodeError("\(r.remaining) trailing bytes after \(type) value") }
    return value
  }

  private static func bool(_ b: UInt8) throws(DecodeError) -> FeatureValue {
    guard b <= 1 else { throw DecodeError("bool byte is \(b)") }
    return .bool(b == 1)
  }
}
