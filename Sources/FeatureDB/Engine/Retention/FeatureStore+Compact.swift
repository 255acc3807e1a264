import Foundation

/// Sizes of a compacted copy.
public struct CompactResult: Hashable, Sendable {
  /// Bytes of the source's data file.
  public var bytesBefore: Int
  /// Bytes of the copy's data file.
  public var bytesAfter: Int
}

extension FeatureStore {
  /// Copies the store to `directory` without free pages (LMDB's compacting copy) and reports the
  /// sizes. `directory` must not exist or be empty; the copy runs in a read snapshot, so writers
  /// may continue meanwhile. Open the copy with `FeatureStore(path: directory)`.
  @discardableResult
  public func compact(to directory: String) throws -> CompactResult {
    let fm = FileManager.default
    var isDir: ObjCBool = false
    if fm.fileExists(atPath: directory, isDirectory: &isDir) {
      guard isDir.boolValue else { throw FeatureDBError.invalidArgument("\(directory) exists and is not a directory") }
      guard (try? fm.contentsOfDirectory(atPath: directory))?.isEmpty ?? false else {
        throw FeatureDBError.invalidArgument("\(directory) is not empty; compact writes into a new or empty directory")
      }
    } else {
      do {
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
      } catch {
        throw FeatureDBError.permissionDenied(path: directory, detail: "cannot create directory")
      }
    }
    try lmdb("compact") { try env.copyCompacted(to: directory) }
    func size(_ dir: String) -> Int {
      ((try? fm.attributesOfItem(atPath: dir + "/data.mdb"))?[.size] as? Int) ?? 0
    }
    return CompactResult(bytesBefore: size(path), bytesAfter: size(directory))
  }
}
