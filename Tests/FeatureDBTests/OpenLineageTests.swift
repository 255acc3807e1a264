import Foundation
import Testing

@testable import FeatureDB

/// Runs as OpenLineage RunEvents, checked with the openlineage-python client's own models when
/// it is installed (`pip install openlineage-python`).
@Suite struct OpenLineageTests {
  static let validator = """
    import json, sys
    from openlineage.client.event_v2 import RunEvent, Run, Job, InputDataset, OutputDataset, RunState
    from openlineage.client.serde import Serde
    n = 0
    for line in open(sys.argv[1]):
        d = json.loads(line)
        e = RunEvent(eventTime=d["eventTime"], producer=d["producer"],
                     run=Run(runId=d["run"]["runId"]),
                     job=Job(namespace=d["job"]["namespace"], name=d["job"]["name"]),
                     eventType=RunState[d["eventType"]],
                     inputs=[InputDataset(namespace=i["namespace"], name=i["name"]) for i in d["inputs"]],
                     outputs=[OutputDataset(namespace=o["namespace"], name=o["name"]) for o in d["outputs"]])
        again = json.loads(Serde.to_json(e))
        if again != d:
            sys.exit("differs from the client's own event:\\n%s\\n%s" % (d, again))
        n += 1
    print(n)
    """

  @Test func runsAreValidRunEvents() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("clicks", type: .int))
    let csv = dir.child("clicks.csv")
    try "id,clicks\nu1,3\nu2,4\n".write(toFile: csv, atomically: true, encoding: .utf8)
    try db.beginRun(Run(id: "import-1", name: "clicks.load"))
    try db.importCSV(csv, options: ImportOptions(entityColumn: "id", run: "import-1"))
    try db.finishRun("import-1")
    try db.beginRun(Run(id: "bad"))
    try db.put("clicks", "u1", 9, lineage: Lineage(run: "bad", source: "stream"))
    try db.finishRun("bad", status: .failed)
    try db.put("clicks", "u3", 1, lineage: Lineage(run: "rolled"))
    try db.rollback(.run("rolled"))
    try db.put("clicks", "u4", 1, lineage: Lineage(run: "open"))

    let imported = try db.openLineageEvents("import-1").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
    #expect(imported.map { $0["eventType"] as? String } == ["START", "COMPLETE"])
    let runObject = imported[0]["run"] as! [String: Any]
    #expect(
      runObject["runId"] as? String == FeatureStore.runUUID(storeID: db.storeID, run: "import-1"))
    #expect(UUID(uuidString: runObject["runId"] as! String) != nil)
    #expect((imported[0]["job"] as! [String: Any])["name"] as? String == "clicks.load")
    #expect(
      (imported[0]["inputs"] as! [[String: Any]]).map { $0["name"] as? String } == ["clicks.csv"])
    #expect(
      (imported[1]["outputs"] as! [[String: Any]]).map { $0["name"] as? String } == ["clicks"])
    #expect(try db.openLineageEvents("bad").last?.contains("\"FAIL\"") == true)
    #expect(try db.openLineageEvents("rolled").last?.contains("\"ABORT\"") == true)
    #expect(try db.openLineageEvents("open").count == 1)
    #expect(throws: FeatureDBError.unknownRun("nope")) { try db.openLineageEvents("nope") }

    let lines = try ["import-1", "bad", "rolled", "open"].flatMap { try db.openLineageEvents($0) }
    let file = dir.child("events.jsonl")
    try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
    let script = dir.child("validate.py")
    try Self.validator.write(toFile: script, atomically: true, encoding: .utf8)
    let (probe, _, _) = try run("/usr/bin/env", ["python3", "-c", "import openlineage.client"])
    guard probe == 0 else {
      print("OpenLineageTests: openlineage-python is not installed; the client check was skipped")
      return
    }
    let (status, out, err) = try run("/usr/bin/env", ["python3", script, file])
    #expect(status == 0, "\(err)")
    #expect(out.trimmingCharacters(in: .whitespacesAndNewlines) == String(lines.count))
  }
}
