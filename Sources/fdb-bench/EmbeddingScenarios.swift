import FeatureDB
import Foundation

extension Scenarios {
  /// Unit-norm Gaussian vectors, deterministic.
  func unitVectors(_ count: Int, dims: Int, seed: UInt64) -> [[Float]] {
    var rng = SplitMix(state: seed)
    return (0..<count).map { _ in
      let v = (0..<dims).map { _ in
        Float(
          (-2 * log(Double.random(in: Double.ulpOfOne..<1, using: &rng))).squareRoot()
            * cos(2 * .pi * Double.random(in: 0..<1, using: &rng)))
      }
      let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
      return v.map { $0 / norm }
    }
  }

  func cosine(_ a: [Float], _ b: [Float]) -> Double {
    var dot: Float = 0
    var na: Float = 0
    var nb: Float = 0
    for i in a.indices {
      dot += a[i] * b[i]
      na += a[i] * a[i]
      nb += b[i] * b[i]
    }
    return Double(dot) / Double((na * nb).squareRoot())
  }

  /// Indices of the `k` most cosine-similar vectors to `q` (vectors are compared by dot product
  /// after normalising their norms).
  func topK(_ q: [Float], _ vectors: [[Float]], norms: [Float], k: Int) -> Set<Int> {
    var best: [(Float, Int)] = []
    for (i, v) in vectors.enumerated() {
      var dot: Float = 0
      for j in q.indices { dot += q[j] * v[j] }
      let score = dot / norms[i]
      if best.count < k {
        best.append((score, i))
        best.sort { $0.0 > $1.0 }
      } else if score > best[k - 1].0 {
        best[k - 1] = (score, i)
        best.sort { $0.0 > $1.0 }
      }
    }
    return Set(best.map(\.1))
  }

  /// `embedding_ENCODING`: bytes per stored 384-dim vector, accuracy, codec speed, latest.
  func embeddings() {
    let dims = 384
    let count = sizes.vectorEntities / 2
    let vectors = unitVectors(count, dims: dims, seed: 11)
    let queries = unitVectors(count / 10, dims: dims, seed: 12)
    let exactNorms = vectors.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
    let exactTop = queries.map { topK($0, vectors, norms: exactNorms, k: 10) }
    for encoding in EmbeddingEncoding.allCases {
      let dir = temporaryDirectory("embedding-\(encoding)")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let store = try! FeatureStore(
        path: dir + "/store", options: StoreOptions(durability: .noSync))
      try! store.define(FeatureDefinition("emb", type: .embedding(dims: dims), encoding: encoding))
      let entities = names("item", count)
      for start in stride(from: 0, to: count, by: 1000) {
        try! store.write { b in
          for i in start..<min(start + 1000, count) { b.put("emb", entities[i], vectors[i]) }
        }
      }
      let stats = try! store.stats().features.first { $0.name == "emb" }!
      // Accuracy, from what the store returns.
      let decoded = try! store.read { snap in
        try entities.map { try snap.latest("emb", $0, as: [Float].self)! }
      }
      let minCosine = zip(vectors, decoded).map { cosine($0, $1) }.min()!
      let decodedNorms = decoded.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }
      var hits = 0
      for (q, exact) in zip(queries, exactTop) {
        hits += topK(q, decoded, norms: decodedNorms, k: 10).intersection(exact).count
      }
      // Codec speed on canonical bytes (no zstd), and the full latest read.
      let encodedAll = vectors.map { try! EncodedEmbedding($0, encoding: encoding) }
      let rounds = 20
      let encodeTime = Samples.measure(rounds) { _ in
        for v in vectors { _ = try! EncodedEmbedding(v, encoding: encoding) }
      }
      var out = [Float](repeating: 0, count: dims)
      let decodeTime = Samples.measure(rounds) { _ in
        out.withUnsafeMutableBufferPointer { buffer in
          for e in encodedAll { try! e.decode(into: buffer) }
        }
      }
      let floatBytes = Double(rounds * count * dims * 4)
      var rng = SplitMix(state: 5)
      let latest = try! store.read { snap in
        try Samples.measure(sizes.reads / 10) { _ in
          _ = try snap.latest("emb", entities[Int.random(in: 0..<count, using: &rng)])
        }
      }
      report(
        "embedding_\(encoding.rawValue)", latest,
        extra: [
          "dims": dims, "vectors": count,
          "bytes_per_vector": round3(Double(stats.valueBytes) / Double(count)),
          "store_bytes_per_vector": round3(Double(stats.bytes) / Double(count)),
          "min_cosine": (minCosine * 1e7).rounded() / 1e7,
          "recall_at_10": round3(Double(hits) / Double(queries.count * 10)),
          "encode_mb_per_s": Int(floatBytes / (Double(encodeTime.wall) / 1e9) / 1e6),
          "decode_gb_per_s": round3(floatBytes / (Double(decodeTime.wall) / 1e9) / 1e9),
          "unit": "p50/p99: latest of one decoded vector in a snapshot",
        ])
    }
  }
}

extension Scenarios {
  /// `dictionary`: bytes per value record for small JSON strings and int8 embeddings, without and
  /// with a trained dictionary.
  func dictionary() {
    func json(_ i: Int) -> String {
      #"{"user_id":"u\#(i)","country":"\#(["DE", "FR", "US", "BR"][i % 4])","plan":"\#(["free", "pro", "team"][i % 3])","#
        + #""devices":[\#(i % 5),\#(i % 7)],"last_seen":"2026-11-\#(10 + i % 18)T10:\#(i % 60):00Z","flags":{"beta":\#(i % 2 == 0)}}"#
    }
    let count = sizes.vectorEntities
    let vectors = unitVectors(count, dims: 384, seed: 21)
    for (name, definition) in [
      ("json", FeatureDefinition("d", type: .string)),
      ("int8", FeatureDefinition("d", type: .embedding(dims: 384), encoding: .int8)),
    ] {
      let dir = temporaryDirectory("dictionary-\(name)")
      defer { try? FileManager.default.removeItem(atPath: dir) }
      let store = try! FeatureStore(
        path: dir + "/store", options: StoreOptions(durability: .noSync))
      try! store.define(definition)
      func writeAll(_ prefix: String) -> Int {
        let before = try! store.stats().features[0].valueBytes
        for start in stride(from: 0, to: count, by: 1000) {
          try! store.write { b in
            for i in start..<min(start + 1000, count) {
              if name == "json" {
                b.put("d", "\(prefix)\(i)", json(i))
              } else {
                b.put("d", "\(prefix)\(i)", vectors[i])
              }
            }
          }
        }
        return try! store.stats().features[0].valueBytes - before
      }
      let plain = writeAll("a")
      let trained = try! store.trainDictionary(feature: "d")
      let withDictionary = writeAll("b")
      var rng = SplitMix(state: 3)
      let reads = try! store.read { snap in
        try Samples.measure(sizes.reads / 20) { _ in
          _ = try snap.latest("d", "b\(Int.random(in: 0..<count, using: &rng))")
        }
      }
      report(
        "dictionary_\(name)", reads,
        extra: [
          "values": count, "bytes_per_value": round3(Double(plain) / Double(count)),
          "bytes_per_value_with_dictionary": round3(Double(withDictionary) / Double(count)),
          "dictionary_bytes": trained.bytes,
          "unit": "p50/p99: latest of a dictionary-compressed value",
        ])
    }
  }
}
