extension FeatureStore {
  /// The version of the FeatureDB library (semantic versioning). `fdb --version` prints it with
  /// ``formatVersion``, the on-disk format version this build writes.
  public static let version = "0.1.0"
}
