import FeatureDB

/// A new store (`store.fdb`) in its own temporary directory; keep the directory alive as long as
/// the store.
package func makeStore(_ options: StoreOptions = StoreOptions(durability: .noSync)) throws -> (
  FeatureStore, TemporaryDirectory
) {
  let dir = TemporaryDirectory()
  return (try FeatureStore(path: dir.child("store.fdb"), options: options), dir)
}
