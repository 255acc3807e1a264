import Synchronization

/// Feast features resolved for the last list of references and the last feature group asked: a
/// serving client asks for the same features request after request, and comparing the list
/// costs less than splitting each name again and writing its JSON column name.
final class ReferenceCache: Sendable {
  private typealias Last = Mutex<(names: [String], features: [FeastFeature])?>
  private let lastReferences = Last(nil)
  private let lastGroup = Last(nil)

  /// The features Feast references `view:name` name, in order.
  ///
  /// - Throws: ``APIError`` (a malformed body) for a reference that is not `view:name`.
  func features(_ references: [String]) throws(APIError) -> [FeastFeature] {
    try Self.cached(lastReferences, references) { reference throws(APIError) in
      try FeastFeature(reference: reference)
    }
  }

  /// The Feast names of a feature group's features, in order.
  func features(group features: [String]) -> [FeastFeature] {
    Self.cached(lastGroup, features) { FeastFeature(feature: $0) }
  }

  private static func cached<E: Error>(
    _ last: borrowing Last, _ names: [String], _ resolve: (String) throws(E) -> FeastFeature
  ) throws(E) -> [FeastFeature] {
    if let last = last.withLock({ $0 }), last.names == names { return last.features }
    let features = try names.map { name throws(E) in try resolve(name) }
    last.withLock { $0 = (names, features) }
    return features
  }
}
