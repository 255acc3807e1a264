/// The (feature, entity) pairs the change feed names after a sequence number, for an
/// incremental partitioned export: a pair changed when a version of it was written, retracted,
/// restored, pruned or expired; every pair of a feature changed when its definition did.
struct ChangedPairs {
  private var pairs: Set<[String]> = []
  private var wholeFeatures: Set<String> = []

  /// Reads the changes after `after` of `features` in `snap`.
  init(_ snap: borrowing Snapshot, after: UInt64, features: [String]) throws {
    var cursor = after
    while true {
      let page = try snap.changes(after: cursor, limit: 10_000, features: Set(features))
      for c in page.changes {
        if let entity = c.entity {
          pairs.insert([c.feature, entity])
        } else {
          wholeFeatures.insert(c.feature)
        }
      }
      if page.next == page.last || page.changes.isEmpty { break }
      cursor = page.next
    }
  }

  /// Whether the export includes the pair.
  func contains(_ feature: String, _ entity: String) -> Bool {
    wholeFeatures.contains(feature) || pairs.contains([feature, entity])
  }
}
