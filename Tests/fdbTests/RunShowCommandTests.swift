import Foundation
import Testing

/// `fdb run show` lists every rollback that retracted a version of the run — by the run, by a
/// cascade from another run, by a feature `--since`, by a value — and a run that `fdb put --run`
/// recorded ends with the command (issue 19, item 13).
@Suite struct RunShowCommandTests {
  @Test func everyRollbackThatTouchedTheRunIsShown() throws {
    let cli = try CLI().initialized([("a", "int"), ("b", "int"), ("c", "int")])
    try cli.ok(["put", "a", "u", "1", "--run", "src"])
    try cli.ok(["put", "b", "u", "2", "--run", "der", "--input", "a:u@1"])
    try cli.ok(["put", "c", "u", "3", "--run", "other"])
    try cli.ok(["put", "c", "u", "4", "--run", "val"])
    // 1: src and, by cascade, der; 2: a since 2020 (src); 3: c:u to version 1 (val); 4: run other.
    try cli.ok(["rollback", "--run", "src", "--cascade"])
    try cli.ok(["rollback", "a", "--since", "2020-01-01T00:00:00Z"])
    try cli.ok(["rollback", "c", "u", "--to-version", "1"])
    try cli.ok(["rollback", "--run", "other"])
    func rollbacks(_ run: String) throws -> [Int] {
      let show = try cli.ok(["run", "show", run, "--json"]).json
      return (show["rollbacks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
    }
    #expect(try rollbacks("src") == [1, 2])
    #expect(try rollbacks("der") == [1])
    #expect(try rollbacks("val") == [3])
    #expect(try rollbacks("other") == [4])
    let text = try cli.ok(["run", "show", "der"]).stdout
    #expect(text.contains("rolled back by operation 1 at"), "\(text)")
  }

  @Test func aRunThatPutRecordedEndsWithIt() throws {
    let cli = try CLI().initialized([("a", "int")])
    try cli.ok(["put", "a", "u", "1", "--run", "p"])
    let run = try #require(
      try cli.ok(["run", "show", "p", "--json"]).json["run"] as? [String: Any])
    #expect(run["status"] as? String == "succeeded", "\(run)")
    #expect(run["finishedAt"] is String, "\(run)")
  }
}
