import FeatureDB
import Hummingbird
import Synchronization

/// The lineage of the versions an HTTP request writes: the producer and run the caller names
/// in the `FeatureDB-Producer` and `FeatureDB-Run` headers (by default `fdb-server` and a new
/// run per request, `http-<write µs>-<n>`), and the request as the source.
final class WriteLineage: Sendable {
  /// The header naming the producer.
  static let producerHeader = HTTPFields.Element.Name("FeatureDB-Producer")!
  /// The header naming the run (also sent back with the run used).
  static let runHeader = HTTPFields.Element.Name("FeatureDB-Run")!

  private let counter = Atomic<Int>(0)

  /// The lineage for `request`, which writes to `target` (e.g. `push source driver_stats`).
  func lineage(_ request: Request, target: String) -> Lineage {
    let n = counter.add(1, ordering: .relaxed).newValue
    return Lineage(
      producer: request.headers[Self.producerHeader] ?? "fdb-server",
      run: request.headers[Self.runHeader] ?? "http-\(Timestamp.now.microseconds)-\(n)",
      source: "http \(request.method) \(request.uri.path) \(target)")
  }
}
