import FeatureDB
import Foundation

/// `multiprocess`: one writer process and four reader processes on one store, all copies of this
/// executable (`--scenario multiprocess-writer` / `multiprocess-reader`), for 20 s (5 s with
/// `--quick`; `--seconds N` overrides).
///
/// The writer commits batches of 1,000 entities × 8 features (maxVersions 3, so every write also
/// prunes): batch K writes K to `mp.f0` … `mp.f6` and −7·K to `mp.f7`. Each reader snapshot reads
/// 16 consecutive entities × 8 features with `latest` (128 reads) and checks the invariant a half
/// applied batch would break — one K everywhere, every entity summing to 0, K never going back.
/// `--writer-rate N` paces the writer at N versions/s (default 0: as fast as it can).
///
/// Reports `reads_per_s` (all readers), `writer_versions_per_s`, `violations` and `errors`.
extension Scenarios {
  func multiprocess(only: String?, quick: Bool) {
    switch only {
    case "multiprocess-writer": MultiProcessLoad.writer()
    case "multiprocess-reader": MultiProcessLoad.reader()
    default: MultiProcessLoad.run(quick: quick)
    }
  }
}

enum MultiProcessLoad {
  static let entities = (0..<1000).map { "mp\($0)" }
  static let features = (0..<8).map { "mp.f\($0)" }
  static let window = 16
  static let readers = 4

  static func value(_ k: Int, feature f: Int) -> Int { f == 7 ? -7 * k : k }

  static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

  static func json(_ fields: [String: Any]) -> String {
    String(
      decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]),
      as: UTF8.self)
  }

  /// Sleeps until the monotonic clock reaches `deadline` (ns).
  static func sleep(until deadline: UInt64) {
    let now = nanos()
    guard deadline > now else { return }
    var request = timespec(
      tv_sec: Int((deadline - now) / 1_000_000_000), tv_nsec: Int((deadline - now) % 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
  }

  /// A worker's common start: open the store, say "ready", wait for the start line on stdin
  /// (the parent sends it once every worker is ready), and return the store and run window.
  static func begin() -> (FeatureStore, start: UInt64, end: UInt64) {
    guard let path = option("path"), let seconds = option("seconds").flatMap(Double.init) else {
      FileHandle.standardError.write(
        Data("multiprocess worker: --path and --seconds are required\n".utf8))
      exit(2)
    }
    let store = try! FeatureStore(path: path)
    say("ready")
    _ = readLine()
    let start = nanos()
    return (store, start, start + UInt64(seconds * 1e9))
  }

  // MARK: - Roles

  static func writer() {
    let (store, start, end) = begin()
    let rate = option("writer-rate").flatMap(Double.init) ?? 0
    var k = 1
    var versions = 0
    var errors = 0
    let perBatch = entities.count * features.count
    while nanos() < end {
      if rate > 0 { sleep(until: start + UInt64(Double(versions + perBatch) / rate * 1e9)) }
      do {
        let written = try store.write { batch in
          batch.lineage = Lineage(producer: "bench.multiprocess@1", run: "mp")
          for e in entities {
            for (f, name) in features.enumerated() { batch.put(name, e, value(k, feature: f)) }
          }
        }.count
        versions += written
        k += 1
      } catch {
        errors += 1
        if errors <= 3 { FileHandle.standardError.write(Data("writer: \(error)\n".utf8)) }
      }
    }
    let elapsed = Double(nanos() - start) / 1e9
    say(
      json([
        "role": "writer", "versions": versions, "batches": k - 1, "errors": errors,
        "seconds": elapsed,
      ]))
  }

  static func reader() {
    let (store, start, end) = begin()
    var rng = SplitMix(state: UInt64(getpid()))
    var reads = 0
    var snapshots = 0
    var violations = 0
    var errors = 0
    var highest = 0
    while nanos() < end {
      let first = Int.random(in: 0...(entities.count - window), using: &rng)
      do {
        let (k, ok) = try store.read { snap -> (Int, Bool) in
          var k = -1
          var ok = true
          for e in entities[first..<first + window] {
            var sum = 0
            for (f, name) in features.enumerated() {
              let v = try snap.latest(name, e, as: Int.self) ?? .min
              if v == .min { ok = false }
              sum &+= v
              if f != 7 {
                if k == -1 { k = v }
                if v != k { ok = false }
              }
            }
            if sum != 0 { ok = false }
          }
          return (k, ok)
        }
        reads += window * features.count
        snapshots += 1
        if !ok || k < highest { violations += 1 }
        highest = max(highest, k)
      } catch {
        errors += 1
        if errors <= 3 { FileHandle.standardError.write(Data("reader: \(error)\n".utf8)) }
      }
    }
    let elapsed = Double(nanos() - start) / 1e9
    say(
      json([
        "role": "reader", "reads": reads, "snapshots": snapshots, "violations": violations,
        "errors": errors,
        "highest": highest, "seconds": elapsed,
      ]))
  }

  // MARK: - The parent

  /// A worker process with pipes on stdin and stdout.
  final class Worker {
    let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var buffer: [UInt8] = []

    init(_ role: String, _ arguments: [String]) {
      let me =
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        ?? CommandLine.arguments[0]
      process.executableURL = URL(fileURLWithPath: me)
      process.arguments = ["--scenario", "multiprocess-\(role)"] + arguments
      process.standardInput = input
      process.standardOutput = output
      try! process.run()
    }

    func readLine() -> String? {
      let fd = output.fileHandleForReading.fileDescriptor
      var byte: UInt8 = 0
      while true {
        let n = read(fd, &byte, 1)
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return buffer.isEmpty ? nil : String(decoding: buffer, as: UTF8.self) }
        if byte == UInt8(ascii: "\n") {
          defer { buffer.removeAll() }
          return String(decoding: buffer, as: UTF8.self)
        }
        buffer.append(byte)
      }
    }

    func go() { input.fileHandleForWriting.write(Data("go\n".utf8)) }

    /// The worker's JSON result line.
    func result() -> [String: Any] {
      let line = readLine() ?? "{}"
      process.waitUntilExit()
      return (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
    }
  }

  static func run(quick: Bool) {
    let seconds = option("seconds").flatMap(Double.init) ?? (quick ? 5 : 20)
    let rate = option("writer-rate") ?? "0"
    let dir = temporaryDirectory("multiprocess")
    defer { try? FileManager.default.removeItem(atPath: dir) }
    let path = dir + "/store"
    do {
      let store = try! FeatureStore(path: path)
      for f in features { try! store.define(FeatureDefinition(f, type: .int, maxVersions: 3)) }
      try! store.write { batch in
        for e in entities { for name in features { batch.put(name, e, 0) } }
      }
    }
    let arguments = ["--path", path, "--seconds", String(seconds)]
    let writer = Worker("writer", arguments + ["--writer-rate", rate])
    let readerWorkers = (0..<readers).map { _ in Worker("reader", arguments) }
    let all = [writer] + readerWorkers
    for w in all { precondition(w.readLine() == "ready", "a multiprocess worker failed to start") }
    for w in all { w.go() }
    let written = writer.result()
    let results = readerWorkers.map { $0.result() }
    func sum(_ key: String) -> Int { results.reduce(0) { $0 + ($1[key] as? Int ?? 0) } }
    let readSeconds = results.compactMap { $0["seconds"] as? Double }.max() ?? seconds
    let writeSeconds = written["seconds"] as? Double ?? seconds
    report(
      "multiprocess", nil,
      extra: [
        "readers": readers, "seconds": seconds,
        "reads_per_s": Int(Double(sum("reads")) / readSeconds),
        "snapshots_per_s": Int(Double(sum("snapshots")) / readSeconds),
        "reader_reads_per_s": results.map {
          Int(Double($0["reads"] as? Int ?? 0) / ($0["seconds"] as? Double ?? seconds))
        },
        "writer_versions_per_s": Int(Double(written["versions"] as? Int ?? 0) / writeSeconds),
        "writer_batches": written["batches"] as? Int ?? 0,
        "writer_rate_target": Int(rate) ?? 0,
        "violations": sum("violations"),
        "errors": sum("errors") + (written["errors"] as? Int ?? 0),
        "durability": Durability.durable.rawValue,
        "unit":
          "reads = latest() calls, 128 per read snapshot; writer batches of 8,000 versions, maxVersions 3",
      ])
  }
}
