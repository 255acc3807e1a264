// Fuzz target `keys`: order-preserving varints and the parsers of `chains`, `values` and
// `expiry` keys over arbitrary bytes.
//
// Properties: every key or varint that parses is the one the encoder writes for the parsed
// numbers (one encoding per number, so a key names one thing); encoded keys sort (memcmp) as
// their numbers do.

@testable import FeatureDB

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  let input = UnsafeRawBufferPointer(start: data, count: size)

  // The whole input as each kind of key.
  if let (entity, feature) = Keys.parseChain(input) {
    let key = Keys.chain(entity: entity, feature: feature)
    check(
      key.elementsEqual(input),
      "chain key \(Array(input)) parses to (\(entity), \(feature)), which encodes as \(key)")
  }
  if let (entity, feature, version) = Keys.parseValue(input) {
    let key = Keys.value(chain: Keys.chain(entity: entity, feature: feature), version: version)
    check(
      key.elementsEqual(input),
      "value key \(Array(input)) parses to (\(entity), \(feature), \(version)), which encodes as \(key)"
    )
  }
  if let parsed = Keys.parseExpiry(input) {
    let key = Keys.expiry(
      at: parsed.time, entity: parsed.entity, feature: parsed.feature, version: parsed.version)
    check(
      key.elementsEqual(input),
      "expiry key \(Array(input)) parses to \(parsed), which encodes as \(key)")
  }

  // The input as a run of ordered varints, each of which must be canonical.
  var values: [UInt64] = []
  var reader = ByteReader(input)
  while !reader.isAtEnd {
    let start = reader.offset
    guard let v = try? OrderedVarint.read(&reader) else { break }
    let encoded = OrderedVarint.encode(v)
    check(
      encoded.elementsEqual(input[start..<reader.offset]),
      "ovarint \(Array(input[start..<reader.offset])) reads as \(v), which encodes as \(encoded)")
    values.append(v)
  }

  // Order preservation for the numbers read: single varints, chain keys and expiry keys.
  for (a, b) in zip(values, values.dropFirst()) {
    check(
      (a < b) == OrderedVarint.encode(a).lexicographicallyPrecedes(OrderedVarint.encode(b)),
      "ovarint order of \(a), \(b)")
  }
  for (a, b) in zip(pairs(values), pairs(values).dropFirst()) {
    let ka = Keys.chain(entity: a.0, feature: a.1)
    let kb = Keys.chain(entity: b.0, feature: b.1)
    check((a < b) == ka.lexicographicallyPrecedes(kb), "chain key order of \(a), \(b)")
  }
  for (a, b) in zip(values, values.dropFirst()) {
    let (ta, tb) = (Int64(bitPattern: a), Int64(bitPattern: b))
    let ka = Keys.expiry(at: ta, entity: b, feature: a, version: 1)
    let kb = Keys.expiry(at: tb, entity: a, feature: b, version: 1)
    check(
      ((ta, b, a) < (tb, a, b)) == ka.lexicographicallyPrecedes(kb),
      "expiry key order of times \(ta), \(tb)")
  }
  return 0
}

/// Consecutive pairs of `values` as (entity, feature).
private func pairs(_ values: [UInt64]) -> [(UInt64, UInt64)] {
  stride(from: 0, to: values.count - 1, by: 2).map { (values[$0], values[$0 + 1]) }
}
