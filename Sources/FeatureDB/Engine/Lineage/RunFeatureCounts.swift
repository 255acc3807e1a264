/// The versions and new entities a write batch adds per (run, feature), for `run_features`.
///
/// Counted per version, so kept cheap: the batch's first run counts features with ids below
/// ``denseLimit`` in an array indexed by feature id; other pairs go to a dictionary (a
/// dictionary probe per version cost about 1,000 instructions, 4% of a pipeline version).
struct RunFeatureCounts {
  /// Versions written and entities written for the first time.
  struct Counts {
    var versions: UInt64 = 0
    var entities: UInt64 = 0
  }

  /// Feature ids counted in the array.
  static let denseLimit: UInt64 = 4_096
  private var run: UInt64 = 0
  private var dense: [Counts] = []
  private var sparse: [LineageIndex.RunFeature: Counts] = [:]

  /// Counts one version of `feature` by `run` (`newEntity`: the run's first of this entity).
  mutating func add(run: UInt64, feature: UInt64, newEntity: Bool) {
    if self.run == 0 { self.run = run }
    if run == self.run, feature < Self.denseLimit {
      let i = Int(feature)
      if i >= dense.count {
        dense.append(contentsOf: repeatElement(Counts(), count: i + 1 - dense.count))
      }
      dense[i].versions += 1
      if newEntity { dense[i].entities += 1 }
    } else {
      let k = LineageIndex.RunFeature(run: run, feature: feature)
      sparse[k, default: Counts()].versions += 1
      if newEntity { sparse[k, default: Counts()].entities += 1 }
    }
  }

  /// Every (run, feature) counted, with its counts.
  var all: [(key: LineageIndex.RunFeature, counts: Counts)] {
    var result = dense.indices.filter { dense[$0].versions > 0 }.map {
      (key: LineageIndex.RunFeature(run: run, feature: UInt64($0)), counts: dense[$0])
    }
    result += sparse.map { (key: $0.key, counts: $0.value) }
    return result
  }
}
