import Foundation

/// The rejects file of `--skip-bad-events`: one JSON object per bad line.
final class RejectsFile {
  let handle: FileHandle

  init?(_ path: String?) throws {
    guard let path else { return nil }
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    guard let h = FileHandle(forWritingAtPath: path) else {
      throw PipelineError.io("cannot open rejects file \(path)")
    }
    h.seekToEndOfFile()
    handle = h
  }

  func write(line: Int, reason: String, text: ArraySlice<UInt8>) throws {
    struct Reject: Encodable {
      var line: Int
      var reason: String
      var text: String
    }
    var data = try JSONEncoder().encode(
      Reject(line: line, reason: reason, text: String(decoding: text, as: UTF8.self)))
    data.append(10)
    handle.write(data)
  }
}
