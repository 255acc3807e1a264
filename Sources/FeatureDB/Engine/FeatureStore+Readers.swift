extension FeatureStore {
  /// Clears reader slots left by processes that died inside a read transaction, and returns how
  /// many it cleared. A stale slot pins its snapshot's pages, so the file grows under writes until
  /// it is cleared. Every open of a store clears them too; call this in a long-running process
  /// that shares its store with others that may crash.
  @discardableResult
  public func clearStaleReaders() -> Int {
    env.clearStaleReaders()
  }
}
