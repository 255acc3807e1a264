import FeatureDB
import Foundation

extension Scenarios {
  /// `embedding_disk`: bytes per 384-d vector on disk after compact (5,000 vectors, max-versions
  /// 1, int8 and float32), the pages of each table, and the write and latest costs beside them.
  func embeddingDisk() {
    let dims = 384
    let count = 5_000
    let vectors = unitVectors(count, dims: dims, seed: 11)
    let entities = names("item", count)
    for encoding in [EmbeddingEncoding.int8, .float32] {
      let dir = temporaryDirectory("embedding-disk-\(encoding)")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      var compacted = 0
      var writes = Samples()
      var latest = Samples()
      do {
        let store = try! FeatureStore(
          path: dir + "/store", options: StoreOptions(durability: .noSync))
        try! store.define(
          FeatureDefinition(
            "emb", type: .embedding(dims: dims), encoding: encoding, maxVersions: 1))
        writes = try! Samples.measure(count / 1000, opsPerCall: 1000) { b in
          try store.write { batch in
            for i in b * 1000..<(b + 1) * 1000 { batch.put("emb", entities[i], vectors[i]) }
          }
        }
        var rng = SplitMix(state: 5)
        latest = try! store.read { snap in
          try Samples.measure(sizes.reads / 10) { _ in
            _ = try snap.latest("emb", entities[Int.random(in: 0..<count, using: &rng)])
          }
        }
        compacted = try! store.compact(to: dir + "/compacted").bytesAfter
      }
      report(
        "embedding_disk", latest,
        extra: [
          "encoding": encoding.rawValue, "dims": dims, "vectors": count, "max_versions": 1,
          "bytes_per_vector": round3(Double(compacted) / Double(count)),
          "pages_by_table": tablePages(dir + "/compacted"),
          "write_vectors_per_s": Int(writes.opsPerSecond),
          "unit": "bytes: data.mdb after compact / vectors; p50/p99: latest of one vector",
        ])
    }
  }
}
