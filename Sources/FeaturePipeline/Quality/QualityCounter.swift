import FeatureDB

/// Counts the quality figures of every feature of a run as values are evaluated: dense bins
/// per feature, so adding a value is a few instructions; converted to ``FeatureQuality``
/// records for the checkpoint and the run's report.
struct QualityCounter {
  private var records: [FeatureQuality]
  /// `bins[f * DriftBins.count + bin + DriftBins.perSign]`.
  private var bins: [Int]

  /// Resumes from the records of a checkpoint (same features, same order), else starts empty.
  init(features: [String], resuming saved: [FeatureQuality]?) {
    records = features.map { FeatureQuality(feature: $0) }
    bins = Array(repeating: 0, count: features.count * DriftBins.count)
    guard let saved, saved.map(\.feature) == features else { return }
    for (f, r) in saved.enumerated() {
      records[f] = r
      for (bin, n) in r.bins where abs(bin) <= DriftBins.perSign {
        bins[f * DriftBins.count + bin + DriftBins.perSign] = n
      }
    }
  }

  /// Adds the values of one evaluation: `values[f]` of feature `f`. Each record is changed in
  /// one access (one uniqueness check of `records`), and no value is copied out of `values`.
  mutating func add(_ values: [FeatureValue]) {
    for f in values.indices {
      let x: Double
      switch values[f] {
      case .double(let d): x = d
      case .int(let i): x = Double(i)
      case .bool(let b): x = b ? 1 : 0
      default:
        records[f].values += 1
        continue
      }
      if records[f].add(x) { bins[f * DriftBins.count + DriftBins.bin(x) + DriftBins.perSign] += 1 }
    }
  }

  /// The records, with their bins.
  var snapshot: [FeatureQuality] {
    records.enumerated().map { f, r in
      var r = r
      r.bins = [:]
      for b in 0..<DriftBins.count where bins[f * DriftBins.count + b] > 0 {
        r.bins[b - DriftBins.perSign] = bins[f * DriftBins.count + b]
      }
      return r
    }
  }
}
