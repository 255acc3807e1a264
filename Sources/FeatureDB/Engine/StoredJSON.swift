import Foundation

/// The JSON records of `features`, `runs`, `operations` and `groups`: keys sorted, so a record
/// holding the same values is the same bytes.
enum StoredJSON {
  static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Array(try encoder.encode(value))
  }

  /// Decodes a record of `table`; one that does not decode is
  /// ``FeatureDBError/corruptStore(table:detail:)`` saying "undecodable `what`".
  static func decode<T: Decodable>(
    _ type: T.Type, _ bytes: UnsafeRawBufferPointer, table: String, what: String
  ) throws -> T {
    do {
      return try JSONDecoder().decode(type, from: Data(bytes))
    } catch {
      throw FeatureDBError.corruptStore(table: table, detail: "undecodable \(what)")
    }
  }
}
