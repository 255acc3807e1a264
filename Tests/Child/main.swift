// A second process for the multi-process tests: `fdb-test-child write PATH N` writes N batches
// and prints "committed K" after each; `fdb-test-child read PATH FEATURE ENTITY` prints the latest.
import FeatureDB
import Foundation

let args = CommandLine.arguments
func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data((message + "\n").utf8))
  exit(1)
}
guard args.count >= 3 else { fail("usage: fdb-test-child write|read PATH …") }
do {
  let store = try FeatureStore(path: args[2])
  switch args[1] {
  case "write":
    let batches = Int(args[3]) ?? 10
    try store.define(FeatureDefinition("child.counter", type: .int))
    for k in 1...batches {
      try store.write { batch in
        for e in 0..<10 { batch.put("child.counter", "e\(e)", k) }
      }
      FileHandle.standardOutput.write(Data("committed \(k)\n".utf8))
    }
  case "read":
    let v = try store.latest(args[3], args[4])
    print(v.map(\.description) ?? "nil")
  default:
    fail("unknown mode \(args[1])")
  }
} catch {
  fail("error: \(error)")
}
