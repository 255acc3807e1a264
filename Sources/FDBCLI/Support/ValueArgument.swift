import FeatureDB

/// Parsing of feature values given on the command line, by the feature's type. Pure functions.
///
/// | type | syntax |
/// | --- | --- |
/// | `int` | `42`, `-7` (64-bit) |
/// | `double` | `12.5`, `-1e-3`, `nan`, `inf` |
/// | `bool` | `true`, `false` |
/// | `string` | any text, taken as is |
/// | `bytes` | hex with `0x`: `0x00ff` (`0x` alone is empty) |
/// | `embedding:N` | `[0.1,0.2,…]` with exactly N finite numbers |
public enum ValueArgument {
  /// Parses `text` as a value of `type`; `feature` names the feature in the error.
  public static func value(_ text: String, as type: ValueType, feature: String) throws(CLIError)
    -> FeatureValue
  {
    func bad(_ expected: String) -> CLIError {
      .usage("invalid value '\(text)' for feature '\(feature)' (\(type)): expected \(expected)")
    }
    switch type {
    case .int:
      guard let v = Int64(text) else { throw bad("a whole number like 42 (64-bit)") }
      return .int(v)
    case .double:
      switch DecimalText.double(text) {
      case .success(let v): return .double(v)
      case .failure(.notANumber): throw bad("a number like 12.5 or -1e-3")
      case .failure(let problem): throw bad("a number in Double's range; '\(text)' is \(problem)")
      }
    case .bool:
      switch text {
      case "true": return .bool(true)
      case "false": return .bool(false)
      default: throw bad("true or false")
      }
    case .string:
      return .string(text)
    case .bytes:
      guard let bytes = hexBytes(text) else {
        throw bad("hex bytes with a 0x prefix like 0x00ff (an even number of digits)")
      }
      return .bytes(bytes)
    case .embedding(let dims):
      let vector = try embedding(text, dims: dims, bad: bad)
      return .embedding(vector)
    }
  }

  /// An entity id: any non-empty text (the engine checks the length).
  public static func entity(_ text: String) throws(CLIError) -> String {
    guard !text.isEmpty else { throw .usage("invalid entity id '': it is empty") }
    return text
  }

  /// `0x00ff` → [0x00, 0xff]; nil unless `0x` (or `0X`) and an even number of hex digits.
  static func hexBytes(_ text: String) -> [UInt8]? {
    let utf8 = Array(text.utf8)
    guard utf8.count >= 2, utf8[0] == UInt8(ascii: "0"),
      utf8[1] == UInt8(ascii: "x") || utf8[1] == UInt8(ascii: "X"), utf8.count % 2 == 0
    else { return nil }
    func nibble(_ c: UInt8) -> UInt8? {
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
      case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
      case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
      default: nil
      }
    }
    var out: [UInt8] = []
    out.reserveCapacity(utf8.count / 2 - 1)
    var i = 2
    while i < utf8.count {
      guard let hi = nibble(utf8[i]), let lo = nibble(utf8[i + 1]) else { return nil }
      out.append(hi << 4 | lo)
      i += 2
    }
    return out
  }

  private static func embedding(_ text: String, dims: Int, bad: (String) -> CLIError)
    throws(CLIError) -> [Float]
  {
    let example = "[" + (0..<min(dims, 3)).map { "0.\($0 + 1)" }.joined(separator: ",")
    let expected = "\(dims) numbers in brackets like \(example)\(dims > 3 ? ",…" : "")]"
    let trimmed = text.trimmingSpaces
    guard trimmed.hasPrefix("["), trimmed.hasSuffix("]"), trimmed.count >= 2 else {
      throw bad(expected)
    }
    let body = trimmed.dropFirst().dropLast().trimmingSpaces
    let parts = body.isEmpty ? [] : body.split(separator: ",", omittingEmptySubsequences: false)
    var vector: [Float] = []
    vector.reserveCapacity(parts.count)
    for (i, part) in parts.enumerated() {
      let item = part.trimmingSpaces
      guard let v = Float(item) else { throw bad("\(expected); component \(i) is '\(item)'") }
      guard v.isFinite else { throw bad("\(expected); component \(i) is \(v), not finite") }
      vector.append(v)
    }
    guard vector.count == dims else { throw bad("\(expected); got \(vector.count)") }
    return vector
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces and tabs.
  var trimmingSpaces: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let start = firstIndex(where: { !isSpace($0) }),
      let end = lastIndex(where: { !isSpace($0) })
    else { return "" }
    return String(self[start...end])
  }
}
