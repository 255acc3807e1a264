import Foundation

/// A fresh temporary directory, removed when the value is released.
package final class TemporaryDirectory: Sendable {
  /// The directory's path.
  package let path: String

  /// Creates the directory under `NSTemporaryDirectory()`.
  package init() {
    path = NSTemporaryDirectory() + "featuredb-test-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// A path inside the directory (not created).
  package func child(_ name: String) -> String { path + "/" + name }
}
