/// What the pipeline has seen of one source IP address across every user: the results of the
/// events from it (`data.source_ip`, with `data.result` "success" or "failure"), in input
/// order. Shared by all users; kept in the store (namespace `pipeline-ip:<prefix>`), committed
/// with the batch that changed it.
public struct SourceRecord: Sendable, Hashable {
  /// Events from the address whose result was "failure".
  public var failures: UInt64 = 0
  /// Events from the address whose result was "success".
  public var successes: UInt64 = 0

  /// A record with these counts; the defaults give an empty one (an address not seen yet).
  public init(failures: UInt64 = 0, successes: UInt64 = 0) {
    self.failures = failures
    self.successes = successes
  }

  /// About how much memory a cached record under `key` takes (the runner's cache budget).
  static func estimatedBytes(key: String) -> Int { 64 + key.utf8.count }

  /// The Laplace-smoothed share of successes, (s + 1) / (s + f + 2): 0.5 for an address
  /// never seen, towards 1 for one that only succeeds, towards 0 for one that only fails.
  public var reputation: Double {
    (Double(successes) + 1) / (Double(successes) + Double(failures) + 2)
  }

  /// Two varints.
  func encoded() -> [UInt8] {
    var w = StateWriter(capacity: 8)
    w.varint(failures)
    w.varint(successes)
    return w.bytes
  }

  init(decoding bytes: [UInt8]) throws(PipelineError) {
    var r = StateReader(bytes)
    failures = try r.varint()
    successes = try r.varint()
  }

  /// The key of `address` in the store: itself when it is 1 to 64 bytes, else `#` and the
  /// hex of its ``stableHash(_:)``.
  static func key(_ address: String) -> String {
    address.utf8.count <= 64 ? address : "#" + String(stableHash(address), radix: 16)
  }
}
