import Foundation

extension FeatureStore {
  /// The schema every event names (OpenLineage 2-0-2).
  public static let openLineageSchema =
    "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"

  /// Run `id` as OpenLineage RunEvents (spec 2-0-2), one JSON object per line: `START` at its
  /// start and, once it finished, `COMPLETE`, `FAIL` (failed) or `ABORT` (rolled back). The
  /// `runId` is a UUID derived from the store id and the run id (the same on every call); the job
  /// is the run's name in namespace `featuredb://STORE_ID`; inputs are the run's sources and
  /// outputs the features it wrote, in the same namespace. Lineage tools such as Marquez,
  /// DataHub and OpenMetadata accept them.
  ///
  /// - Throws: ``FeatureDBError/unknownRun(_:)``.
  public func openLineageEvents(_ id: String) throws -> [String] {
    guard let run = try run(id) else { throw FeatureDBError.unknownRun(id) }
    let namespace = "featuredb://\(storeID)"
    let inputs = try runSources(id).map { dataset(namespace, $0.source, facets: "inputFacets") }
    let outputs = try runSummary(id).map { dataset(namespace, $0.feature, facets: "outputFacets") }
    func event(_ type: String, _ time: Timestamp) throws -> String {
      let object: [String: Any] = [
        "eventType": type, "eventTime": time.iso8601,
        "producer": "urn:featuredb:fdb:\(Self.version)", "schemaURL": Self.openLineageSchema,
        "run": ["runId": Self.runUUID(storeID: storeID, run: id), "facets": [String: Any]()],
        "job": ["namespace": namespace, "name": run.name, "facets": [String: Any]()],
        "inputs": inputs, "outputs": outputs,
      ]
      let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
      return String(decoding: data, as: UTF8.self)
    }
    var events = [try event("START", run.startedAt)]
    if let finished = run.finishedAt {
      let end =
        switch run.status {
        case .failed: "FAIL"
        case .rolledBack: "ABORT"
        case .running, .succeeded: "COMPLETE"
        }
      events.append(try event(end, finished))
    } else if run.status == .rolledBack {
      events.append(try event("ABORT", run.startedAt))
    }
    return events
  }

  private func dataset(_ namespace: String, _ name: String, facets: String) -> [String: Any] {
    ["namespace": namespace, "name": name, "facets": [String: Any](), facets: [String: Any]()]
  }

  /// A UUID (version 8, RFC 9562) from two FNV-1a 64-bit hashes of the store id and the run id:
  /// stable, and distinct for distinct runs of distinct stores.
  static func runUUID(storeID: String, run: String) -> String {
    func fnv(_ seed: UInt64) -> UInt64 {
      var h = seed
      for b in Array(storeID.utf8) + [0] + Array(run.utf8) {
        h = (h ^ UInt64(b)) &* 0x100_0000_01b3
      }
      return h
    }
    var bytes = withUnsafeBytes(of: fnv(0xcbf2_9ce4_8422_2325).bigEndian) { Array($0) }
    bytes += withUnsafeBytes(of: fnv(0x8422_2325_cbf2_9ce4).bigEndian) { Array($0) }
    bytes[6] = bytes[6] & 0x0F | 0x80  // version 8
    bytes[8] = bytes[8] & 0x3F | 0x80  // variant 10
    let hex = bytes.map { String($0, radix: 16).leftPadded(2) }.joined()
    let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map {
      String(hex.dropFirst($0.lowerBound).prefix($0.count))
    }
    return parts.joined(separator: "-")
  }
}

extension String {
  fileprivate func leftPadded(_ n: Int) -> String {
    count >= n ? self : String(repeating: "0", count: n - count) + self
  }
}
