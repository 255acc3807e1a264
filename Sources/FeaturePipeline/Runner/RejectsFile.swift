import Foundation

/// The rejects file of `--skip-bad-events`: one JSON object per bad line.
final class RejectsFile {
  let handle: FileHandle
  let path: String

  init?(_ path: String?) throws {
    guard let path else { return nil }
    if !FileManager.default.fileExists(atPath: path) {
      _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    guard let h = FileHandle(forWritingAtPath: path) else {
      throw PipelineError.io("cannot open rejects file \(path)")
    }
    // Appends; a pipe or a device cannot seek, and needs not.
    _ = try? h.seekToEnd()
    handle = h
    self.path = path
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
    do {
      try handle.write(contentsOf: data)
    } catch {
      // Foundation wraps the system's error (ENOSPC) in one of its own.
      let e = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError ?? error as NSError
      let reason =
        e.domain == NSPOSIXErrorDomain
        ? String(cString: strerror(Int32(e.code))) : e.localizedDescription
      throw PipelineError.io("cannot write rejects file \(path): \(reason)")
    }
  }
}
