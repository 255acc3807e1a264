import Foundation

/// Monotonic clock in nanoseconds.
@inline(__always)
func nanos() -> UInt64 {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}

/// Latencies of timed operations and the wall time they took.
struct Samples {
  var latencies: [UInt64] = []  // nanoseconds
  var wall: UInt64 = 0
  var operations = 0

  /// Times `count` calls of `op`, each individually.
  static func measure(_ count: Int, opsPerCall: Int = 1, _ op: (Int) throws -> Void) rethrows
    -> Samples
  {
    var s = Samples()
    s.latencies.reserveCapacity(count)
    let start = nanos()
    for i in 0..<count {
      let t0 = nanos()
      try op(i)
      s.latencies.append(nanos() - t0)
    }
    s.wall = nanos() - start
    s.operations = count * opsPerCall
    return s
  }

  var opsPerSecond: Double { Double(operations) / (Double(wall) / 1e9) }

  func percentile(_ p: Double) -> Double {
    let sorted = latencies.sorted()
    guard !sorted.isEmpty else { return 0 }
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1000
  }
}

/// One JSON line per scenario.
func report(
  _ scenario: String, _ ours: Samples?, baseline: Samples? = nil, extra: [String: Any] = [:]
) {
  var fields: [String: Any] = ["scenario": scenario]
  if let ours {
    fields["ops_per_s"] = Int(ours.opsPerSecond)
    fields["p50_us"] = round3(ours.percentile(0.5))
    fields["p99_us"] = round3(ours.percentile(0.99))
  }
  if let baseline, let ours {
    fields["lmdb_ops_per_s"] = Int(baseline.opsPerSecond)
    fields["lmdb_p50_us"] = round3(baseline.percentile(0.5))
    fields["ratio_vs_lmdb"] = round3(ours.opsPerSecond / baseline.opsPerSecond)
  }
  fields.merge(extra) { a, _ in a }
  let data = try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
  FileHandle.standardOutput.write(data + Data("\n".utf8))
}

func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

/// A deterministic generator (SplitMix64) so every run reads the same keys.
struct SplitMix: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A fresh temporary directory, removed at exit of the scenario.
func temporaryDirectory(_ name: String) -> String {
  let path = NSTemporaryDirectory() + "fdb-bench-\(name)-\(getpid())"
  try? FileManager.default.removeItem(atPath: path)
  try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  return path
}

/// Size of a store's data file (or, with `file`, of the file at `path`).
func usedBytes(_ path: String, file: Bool = false) -> Int {
  let attrs = try? FileManager.default.attributesOfItem(atPath: file ? path : path + "/data.mdb")
  return (attrs?[.size] as? Int) ?? 0
}

/// The options that take a value (`--quick`, the one flag, takes none), each with what its
/// value must be (nil: any text).
let valueOptions: [String: ValueRule?] = [
  "batch": count, "state-cache-mb": count,
  "rate": ("a whole number from 1 to 1,000,000", { Int($0).map { 1...1_000_000 ~= $0 } ?? false }),
  "seconds": ("a number of seconds above 0", { Double($0).map { $0 > 0 } ?? false }),
  "writer-rate": ("a rate of 0 or more", { Double($0).map { $0 >= 0 } ?? false }),
  "out": nil, "path": nil, "scenario": nil,
]
private let count: ValueRule = ("a whole number above 0", { Int($0).map { $0 > 0 } ?? false })

/// What an option's value must be, in words and as a check.
typealias ValueRule = (rule: String, holds: @Sendable (String) -> Bool)

/// Exits with a usage error (status 2) for an argument that is not an option this program
/// reads, an option missing its value or with a value it cannot take, or a scenario it does
/// not know — rather than running every scenario for a misspelt one, or a default for a value
/// it could not read.
func checkArguments(_ arguments: ArraySlice<String>, scenarios: Set<String>) {
  var i = arguments.startIndex
  while i < arguments.endIndex {
    let a = arguments[i]
    let name = a.hasPrefix("--") ? String(a.dropFirst(2)) : ""
    if let value = valueOptions[name], i + 1 < arguments.endIndex {
      if let value, !value.holds(arguments[i + 1]) {
        fail("fdb-bench: \(a) needs \(value.rule), got '\(arguments[i + 1])'")
      }
      i += 2
    } else if a == "--quick" {
      i += 1
    } else {
      fail(
        "fdb-bench: unexpected argument '\(a)'"
          + (valueOptions[name] != nil ? ": it needs a value" : ""))
    }
  }
  if let s = option("scenario"), !scenarios.contains(s) {
    fail("fdb-bench: unknown scenario '\(s)'; known: \(scenarios.sorted().joined(separator: ", "))")
  }
}

private func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(2)
}

/// `--NAME VALUE` from the command line.
func option(_ name: String) -> String? {
  let args = CommandLine.arguments
  guard let i = args.firstIndex(of: "--" + name), i + 1 < args.count else { return nil }
  return args[i + 1]
}
