/// A request body that ``JSONReader`` reads in the common case, without `JSONDecoder`:
/// ``JSONBody`` hands every body it gives up on to `JSONDecoder`, which decodes it or words
/// the error, so both ways give the same answer.
protocol ReaderDecodable: Decodable {
  /// The body read from `reader`; nil when anything is not as expected.
  static func read(_ reader: inout JSONReader) -> Self?
}
