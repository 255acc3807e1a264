/// Partition folder names as Hive and Spark write and read them (`key=value`, the value
/// escaped by `ExternalCatalogUtils.escapePathName`): ASCII control characters and
/// `"#%'*/:=?\{[]^` and DEL become `%XX` (two upper-case hex digits), everything else, UTF-8
/// included, is kept, and an empty value is `__HIVE_DEFAULT_PARTITION__`. Spark unescapes the
/// value when it discovers the partition, so `:`, `/`, `=` and `%` survive the round trip.
enum HivePath {
  /// `key=escaped value`.
  static func folder(_ key: String, _ value: String) -> String {
    "\(key)=\(escape(value))"
  }

  /// The value as a path component.
  static func escape(_ value: String) -> String {
    guard !value.isEmpty else { return "__HIVE_DEFAULT_PARTITION__" }
    var out = ""
    for scalar in value.unicodeScalars {
      if scalar.value < 0x20 || scalar.value == 0x7F || escaped.contains(scalar) {
        out += "%" + hex(UInt8(scalar.value))
      } else {
        out.unicodeScalars.append(scalar)
      }
    }
    return out
  }

  private static let escaped = Set("\"#%'*/:=?\\{[]^".unicodeScalars)

  private static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
  }
}
