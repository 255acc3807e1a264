import Foundation
import Testing

@testable import FeatureDB

/// `importCSV` with `defineMissing` (issue 13, item 8): the definitions commit with the rows or
/// not at all; many features are defined in one pass; types are inferred conservatively.
@Suite struct ImportDefineTests {
  func csv(_ dir: TemporaryDirectory, _ text: String) -> String {
    let path = dir.child("in-\(UUID().uuidString).csv")
    FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
    return path
  }

  func imported(_ db: FeatureStore, _ path: String) throws -> [String: ValueType] {
    let summary = try db.importCSV(path, options: ImportOptions(defineMissing: true))
    return Dictionary(uniqueKeysWithValues: summary.defined.map { ($0.name, $0.type) })
  }

  @Test func aFailedImportDefinesNothing() throws {
    let (db, dir) = try makeStore()
    try db.define(FeatureDefinition("old", type: .int))
    // Line 3 has too few fields: the import fails after its features were inferred.
    for text in ["entity_id,a,b,old\ne1,1,x,5\ne2,2\n", "entity_id,a,b,old\ne1,1\n"] {
      let error = thrownError { _ = try imported(db, csv(dir, text)) }
      guard case .badCSV = error else {
        Issue.record("got \(String(describing: error))")
        continue
      }
      #expect(try db.features().map(\.name) == ["old"])
      #expect(try db.latest("old", "e1") == nil)
    }
    // Nothing was left half-defined: the same names take other types now.
    try db.define(FeatureDefinition("a", type: .string))
    #expect(try db.feature("a")?.type == .string)
  }

  @Test func theImportsDefinitionsCommitWithItsRows() throws {
    let (db, dir) = try makeStore()
    let defined = try imported(db, csv(dir, "entity_id,a,b\ne1,1,x\ne2,2,y\n"))
    #expect(defined == ["a": .int, "b": .string])
    #expect(try db.latest("a", "e2", as: Int64.self) == 2)
    // Reads after the import see the new catalog (the cache was not left stale).
    #expect(try db.features().map(\.name).sorted() == ["a", "b"])
  }

  @Test func manyColumnsAreDefinedInOneTransaction() throws {
    let (db, dir) = try makeStore()
    let columns = (0..<2000).map { "f\($0)" }
    let text =
      "entity_id," + columns.joined(separator: ",") + "\n" + "e1,"
      + columns.indices.map(String.init).joined(separator: ",") + "\n"
    let before = try db.readTransaction { txn in
      try MetaStore(table: db.tables.meta).uint(txn, .catalogVersion) ?? 0
    }
    let defined = try imported(db, csv(dir, text))
    #expect(defined.count == 2000)
    #expect(try db.latest("f1999", "e1", as: Int64.self) == 1999)
    // One transaction for all of them: the catalog version moved by one.
    let after = try db.readTransaction { txn in
      try MetaStore(table: db.tables.meta).uint(txn, .catalogVersion) ?? 0
    }
    #expect(after == before + 1)
  }

  @Test func typeInferenceIsConservative() throws {
    let (db, dir) = try makeStore()
    let defined = try imported(
      db,
      csv(
        dir,
        """
        entity_id,zip,name,count,ratio,flag,neg
        e1,01234,Nan,0,-0.5,true,-7
        e2,99999,Inf,12,1e3,false,-08
        e3,00000,infinity,3,2,true,3

        """))
    #expect(
      defined == [
        "zip": .string, "name": .string, "count": .int, "ratio": .double, "flag": .bool,
        "neg": .string,
      ])
    #expect(try db.latest("zip", "e1", as: String.self) == "01234")
  }

  @Test func aColumnWithoutValuesIsNotGivenAType() throws {
    let (db, dir) = try makeStore()
    for text in ["entity_id,a\n", "entity_id,a,b\ne1,1,\n"] {
      let error = thrownError { _ = try imported(db, csv(dir, text)) }
      guard case .badCSV(let e) = error else {
        Issue.record("got \(String(describing: error))")
        continue
      }
      #expect(e.message.contains("no values to infer a type from"), "\(e)")
    }
    #expect(try db.features().isEmpty)
  }
}
