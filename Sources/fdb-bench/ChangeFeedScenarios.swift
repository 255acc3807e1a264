import FeatureDB
import Foundation

extension Scenarios {
  // MARK: - change_feed

  /// What the change feed costs and how fast it reads: 1M double versions with a run written
  /// as `write_batch` writes them (durable, batches of 10,000; compare its figures with a build
  /// before the feed, or with `write_batch` of the same run), the feed's pages per version, and
  /// the feed read back in pages of 10,000 changes.
  func changeFeed() {
    let features = names("bench.f", sizes.features)
    let entities = names("user", sizes.entities)
    let versions = sizes.entities * sizes.features
    let dir = temporaryDirectory("feed")
    let rawDir = temporaryDirectory("feed-raw")
    defer {
      try? FileManager.default.removeItem(atPath: dir)
      try? FileManager.default.removeItem(atPath: rawDir)
    }
    let store = try! FeatureStore(path: dir + "/store")
    let raw = RawLMDB(path: rawDir, durability: .durable)
    let rawSamples = rawFill(raw, features: sizes.features, entities: sizes.entities)
    let ours = try! fill(store, features: features, entities: entities)
    let stats = try! store.stats()
    report(
      "change_feed_write", ours, baseline: rawSamples,
      extra: [
        "versions": versions, "unit": "p50/p99 per batch",
        "feed_bytes_per_version": round3(
          Double(stats.changePages * stats.pageSize) / Double(versions)),
        "bytes_per_version": round3(Double(usedBytes(dir + "/store")) / Double(versions)),
      ])
    var cursor: UInt64 = 0
    var read = 0
    var sink = 0.0
    let start = nanos()
    while true {
      let page = try! store.changes(after: cursor, limit: 10_000)
      if page.changes.isEmpty { break }
      for c in page.changes { sink += c.value?.double ?? 0 }
      read += page.changes.count
      cursor = page.next
    }
    let seconds = Double(nanos() - start) / 1e9
    precondition(read == versions + features.count && sink > 0)
    report(
      "change_feed_read", nil,
      extra: ["records": read, "records_per_s": Int(Double(read) / seconds), "page": 10_000])
  }
}
