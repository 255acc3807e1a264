import Foundation

/// A store written by an older build, in `Tests/Fixtures/NAME`: `store/data.mdb`, and
/// `history.jsonl`, what that build's `fdb history --json` printed for it.
struct StoreFixture {
  let url: URL

  init(_ name: String) {
    url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .appendingPathComponent("Fixtures/" + name)
  }

  /// `history.jsonl`, one object per version.
  func history() throws -> [[String: Any]] {
    let text = try String(
      contentsOf: url.appendingPathComponent("history.jsonl"), encoding: .utf8)
    return try text.split(separator: "\n").map {
      try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
  }

  /// A copy of the store, as `name` in `dir`, for a test to open (and upgrade).
  func copy(into dir: TemporaryDirectory, as name: String) throws -> String {
    let path = dir.child(name)
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
    try FileManager.default.copyItem(
      atPath: url.appendingPathComponent("store/data.mdb").path, toPath: path + "/data.mdb")
    return path
  }
}
