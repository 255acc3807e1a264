import Foundation
import Testing

/// Every public declaration of FeatureDB, FeaturePipeline and FeatureServer has a doc comment
/// (issue 14, item 4).
@Suite struct DocCommentTests {
  @Test func everyPublicDeclarationIsDocumented() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .deletingLastPathComponent().deletingLastPathComponent()
    var missing: [String] = []
    for dir in ["Sources/FeatureDB", "Sources/FeaturePipeline", "Sources/FeatureServer"] {
      let base = root.appendingPathComponent(dir)
      guard let files = FileManager.default.enumerator(atPath: base.path) else { continue }
      for case let file as String in files where file.hasSuffix(".swift") {
        let lines = try String(contentsOf: base.appendingPathComponent(file), encoding: .utf8)
          .split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() {
          let text = line.drop { $0 == " " }
          guard text.hasPrefix("public "), !text.hasPrefix("public extension") else { continue }
          var j = i - 1
          while j >= 0, lines[j].drop(while: { $0 == " " }).hasPrefix("@") { j -= 1 }
          if j < 0 || !lines[j].drop(while: { $0 == " " }).hasPrefix("///") {
            missing.append("\(dir)/\(file):\(i + 1): \(text.prefix(60))")
          }
        }
      }
    }
    #expect(
      missing.isEmpty,
      "\(missing.count) undocumented:\n\(missing.prefix(20).joined(separator: "\n"))")
  }
}
