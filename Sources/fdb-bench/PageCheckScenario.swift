import FeatureDB
import Foundation

extension Scenarios {
  /// What the damaged-file defences cost (docs/reliability.md): `latest` with and without
  /// `StoreOptions.checkPages`, a miss (confirmed by a second, bounds-checked search), and
  /// `checkStructure()` (the page walk verify, exports, compact and fdb run first).
  func pageChecks() {
    let dir = temporaryDirectory("page-checks")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/store"
    let entities = names("user", sizes.entities)
    do {
      let store = try! FeatureStore(path: path, options: StoreOptions(durability: .noSync))
      try! store.define(FeatureDefinition("p.n", type: .int))
      try! store.define(FeatureDefinition("p.s", type: .string))
      for chunk in stride(from: 0, to: entities.count, by: 10_000) {
        try! store.write { b in
          for e in entities[chunk..<min(chunk + 10_000, entities.count)] {
            b.put("p.n", e, 1)
            b.put("p.s", e, String(repeating: "v", count: 40))
          }
        }
      }
    }
    let bytes = usedBytes(path)
    let plain = try! FeatureStore(path: path, options: StoreOptions(readOnly: true))
    let checked = try! FeatureStore(
      path: path, options: StoreOptions(readOnly: true, checkPages: true))
    var rng = SplitMix(state: 7)
    let keys = (0..<100_000).map { _ in entities[Int.random(in: 0..<entities.count, using: &rng)] }
    func latest(_ store: FeatureStore) -> Samples {
      Samples.measure(keys.count) { i in _ = try! store.latest("p.n", keys[i]) }
    }
    _ = latest(plain)
    let a = latest(plain)
    _ = latest(checked)
    let b = latest(checked)
    let miss = Samples.measure(keys.count) { i in _ = try! plain.latest("p.n", "absent-\(i)") }
    report("latest_plain", a)
    report(
      "latest_check_pages", b, extra: ["ratio_vs_plain": round3(b.opsPerSecond / a.opsPerSecond)])
    report("latest_miss", miss)
    let walk = Samples.measure(3) { _ in try! plain.checkStructure() }
    report(
      "check_structure", nil,
      extra: [
        "bytes": bytes, "seconds": round3(Double(walk.wall) / 3 / 1e9),
        "mb_per_s": Int(Double(bytes) * 3 / (Double(walk.wall) / 1e9) / 1e6),
      ])
  }
}
