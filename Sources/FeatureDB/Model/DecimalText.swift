/// Decimal text read as a `Double`, refusing what `Double(_:)` would silently change: text
/// beyond Double's range (`1e400` would be +∞) and non-zero text too small for it (`1e-400`
/// would be 0). The explicit spellings `nan`, `inf` and `infinity` (any case, signed) are
/// accepted as the special values they name.
public enum DecimalText {
  /// Why ``DecimalText/double(_:)`` refused a text.
  public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
    /// Not a decimal number at all (`Double(_:)` rejects it).
    case notANumber
    /// Finite text whose magnitude exceeds `Double.greatestFiniteMagnitude`.
    case overflow
    /// Non-zero text whose magnitude is below the smallest `Double` (it would read as 0).
    case underflow

    /// A short reason for error messages, e.g.
    /// `out of range: beyond ±1.8e308 (write inf for infinity)`.
    public var description: String {
      switch self {
      case .notANumber: "not a number"
      case .overflow: "out of range: beyond ±1.8e308 (write inf for infinity)"
      case .underflow: "out of range: non-zero but below 4.9e-324, it would be stored as 0"
      }
    }
  }

  /// Reads `text` as a `Double`, or the reason it refuses: not a number, overflow (finite text
  /// beyond ±1.8e308) or underflow (non-zero text that would read as 0).
  ///
  /// ```swift
  /// DecimalText.double("12.5")    // .success(12.5)
  /// DecimalText.double("1e400")   // .failure(.overflow)
  /// ```
  public static func double(_ text: String) -> Result<Double, Problem> {
    guard let value = Double(text) else { return .failure(.notANumber) }
    var unsigned = Substring(text.lowercased())
    if unsigned.first == "+" || unsigned.first == "-" { unsigned = unsigned.dropFirst() }
    if value.isInfinite, unsigned != "inf", unsigned != "infinity" { return .failure(.overflow) }
    if value == 0 {
      // Any non-zero digit in the mantissa (before an exponent) means the text was not zero.
      let isHex = unsigned.hasPrefix("0x")
      let mantissa = unsigned.dropFirst(isHex ? 2 : 0).prefix { isHex ? $0 != "p" : $0 != "e" }
      if mantissa.contains(where: { $0.isHexDigit && $0 != "0" && (isHex || $0.isNumber) }) {
        return .failure(.underflow)
      }
    }
    return .success(value)
  }
}
