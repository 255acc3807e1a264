/// Feature values as CSV cell text, both ways: numbers in the shortest form that round-trips,
/// `true`/`false`, bytes as `0x` and hex digits, embeddings as a JSON array `[0.1,0.2]`.
enum CSVValue {
  static func format(_ value: FeatureValue) -> String {
    switch value {
    case .int(let v): String(v)
    case .double(let v): String(v)
    case .bool(let v): v ? "true" : "false"
    case .string(let v): v
    case .bytes: value.description
    case .embedding(let v): "[" + v.map { String($0) }.joined(separator: ",") + "]"
    }
  }

  /// Why a cell does not parse as its feature's type.
  struct Problem: Error {
    let reason: String
  }

  /// The value of `text` for `type`.
  static func parse(_ text: String, as type: ValueType) throws(Problem) -> FeatureValue {
    switch type {
    case .int:
      guard let v = Int64(text) else { throw Problem(reason: "'\(text)' is not an integer") }
      return .int(v)
    case .double:
      switch DecimalText.double(text) {
      case .success(let v): return .double(v)
      case .failure(.notANumber): throw Problem(reason: "'\(text)' is not a number")
      case .failure(let problem): throw Problem(reason: "'\(text)' is \(problem)")
      }
    case .bool:
      switch text.lowercased() {
      case "true", "1": return .bool(true)
      case "false", "0": return .bool(false)
      default: throw Problem(reason: "'\(text)' is not true or false")
      }
    case .string:
      return .string(text)
    case .bytes:
      guard let bytes = hexBytes(text) else {
        throw Problem(reason: "'\(text)' is not hex bytes like 0x00ff")
      }
      return .bytes(bytes)
    case .embedding(let dims):
      guard let v = floatArray(text) else {
        throw Problem(reason: "'\(text)' is not a JSON array of numbers")
      }
      guard v.count == dims else {
        throw Problem(reason: "the embedding has \(v.count) numbers, the feature \(dims)")
      }
      return .embedding(v)
    }
  }

  /// `0x00ff` (or `00ff`) → bytes.
  static func hexBytes(_ text: String) -> [UInt8]? {
    var digits = Substring(text)
    if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
    guard digits.count % 2 == 0 else { return nil }
    var out: [UInt8] = []
    out.reserveCapacity(digits.count / 2)
    var index = digits.startIndex
    while index < digits.endIndex {
      let next = digits.index(index, offsetBy: 2)
      guard let b = UInt8(digits[index..<next], radix: 16) else { return nil }
      out.append(b)
      index = next
    }
    return out
  }

  /// `[0.1, -2, 3e-5]` → floats.
  static func floatArray(_ text: String) -> [Float]? {
    let trimmed = text.trimmingCharacters(in: " ")
    guard trimmed.hasPrefix("["), trimmed.hasSuffix("]") else { return nil }
    let inner = trimmed.dropFirst().dropLast()
    if inner.allSatisfy({ $0 == " " }) { return [] }
    var out: [Float] = []
    for part in inner.split(separator: ",", omittingEmptySubsequences: false) {
      guard let v = Float(part.trimmingCharacters(in: " ")) else { return nil }
      out.append(v)
    }
    return out
  }
}

extension Substring {
  fileprivate func trimmingCharacters(in set: Character) -> Substring {
    var s = self
    while s.first == set { s.removeFirst() }
    while s.last == set { s.removeLast() }
    return s
  }
}

extension String {
  fileprivate func trimmingCharacters(in set: Character) -> Substring {
    Substring(self).trimmingCharacters(in: set)
  }
}
