// Shared by every fuzz target: taking parameters from the front of an input, failing loudly
// when a property does not hold, and comparing values bit for bit.

@testable import FeatureDB

/// A fuzz input: parameters are taken from the front, the rest is the data under test. Taking a
/// parameter from an exhausted input gives 0, so every input is usable.
struct FuzzInput {
  private(set) var bytes: UnsafeRawBufferPointer

  init(_ data: UnsafePointer<UInt8>, _ size: Int) {
    bytes = UnsafeRawBufferPointer(start: data, count: size)
  }

  mutating func byte() -> UInt8 {
    guard let b = bytes.first else { return 0 }
    bytes = UnsafeRawBufferPointer(rebasing: bytes[1...])
    return b
  }

  mutating func uint16() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }

  /// What is left after the parameters.
  var rest: UnsafeRawBufferPointer { bytes }
}

/// Stops the run with `message` when a property does not hold; libFuzzer keeps the input.
func check(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fatalError("fuzz property failed: \(message())") }
}

/// Every value format a feature can have, so one input byte picks one (embeddings get `dims`).
func valueFormat(_ selector: UInt8, dims: Int) -> ValueFormat {
  let encodings = EmbeddingEncoding.allCases
  switch Int(selector) % (5 + encodings.count) {
  case 0: return ValueFormat(type: .int)
  case 1: return ValueFormat(type: .double)
  case 2: return ValueFormat(type: .bool)
  case 3: return ValueFormat(type: .string)
  case 4: return ValueFormat(type: .bytes)
  case let n: return ValueFormat(type: .embedding(dims: dims), encoding: encodings[n - 5])
  }
}

/// Equality that compares doubles by bit pattern and embedding components by bit pattern or
/// both NaN (converting a NaN between float formats may change its payload).
func sameValue(_ a: FeatureValue, _ b: FeatureValue) -> Bool {
  switch (a, b) {
  case (.double(let x), .double(let y)): x.bitPattern == y.bitPattern
  case (.embedding(let x), .embedding(let y)):
    x.count == y.count
      && zip(x, y).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }
  default: a == b
  }
}

/// A raw-content zstd dictionary for records that name one; any bytes make a valid dictionary.
let fuzzDictionary: ZstdDictionary = {
  let sample = #"{"user":"u123","event":"login","country":"DE","device":"ios","score":0.5}"#
  let bytes = Array(String(repeating: sample, count: 4).utf8)
  do {
    return try ZstdDictionary(id: 1, bytes: bytes, level: 1)
  } catch {
    fatalError("the fuzz dictionary does not load: \(error)")
  }
}()

let fuzzZstd = Zstd(level: 1)
