import Synchronization

/// Feast feature references resolved to features, for the last list asked: a serving client
/// asks for the same list request after request, and comparing the list costs less than
/// splitting each `view:name` again.
final class ReferenceCache: Sendable {
  private let last = Mutex<(references: [String], features: [FeastFeature])?>(nil)

  /// The features `references` name, in order.
  ///
  /// - Throws: ``APIError`` (a malformed body) for a reference that is not `view:name`.
  func features(_ references: [String]) throws(APIError) -> [FeastFeature] {
    if let last = last.withLock({ $0 }), last.references == references { return last.features }
    let features = try references.map { reference throws(APIError) in
      try FeastFeature(reference: reference)
    }
    last.withLock { $0 = (references, features) }
    return features
  }
}
