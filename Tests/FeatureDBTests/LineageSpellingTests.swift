import Testing

@testable import FeatureDB

@Suite struct LineageSpellingTests {
  /// Swift prints lineage inputs the way `fdb` prints and parses them (`--input`).
  @Test func inputsHaveOneSpelling() {
    #expect(LineageInput.raw("evt-991").description == "raw:evt-991")
    #expect(LineageInput.version("user.orders_7d", "u1", 1).description == "user.orders_7d:u1@1")
  }
}
