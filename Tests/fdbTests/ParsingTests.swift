import FeatureDB
import Testing

@testable import FDBCLI

/// The pure parsers behind the command line: times, durations, values, lineage inputs, global
/// option hoisting, and the exit-code mapping.
@Suite struct TimeArgumentTests {
  let now = Timestamp(iso8601: "2026-01-05T10:30:00Z")!

  @Test func absoluteTimes() throws {
    #expect(try TimeArgument.time("2026-01-05T10:30:00Z", now: now, option: "--as-of") == now)
    #expect(
      try TimeArgument.time("2026-01-05T10:30:00.25Z", now: now, option: "--as-of").microseconds
        == now.microseconds + 250_000)
    #expect(try TimeArgument.time("2026-01-05T11:30:00+01:00", now: now, option: "--as-of") == now)
    #expect(try TimeArgument.time("2026-01-05", now: now, option: "--as-of") == now - .minutes(630))
    // No zone: UTC, the rule of CSV imports and entity rows too.
    #expect(try TimeArgument.time("2026-01-05T10:30:00", now: now, option: "--as-of") == now)
  }

  @Test func relativeTimes() throws {
    #expect(try TimeArgument.time("now", now: now, option: "--as-of") == now)
    #expect(try TimeArgument.time("-2h", now: now, option: "--as-of") == now - .hours(2))
    #expect(try TimeArgument.time("-7d", now: now, option: "--as-of") == now - .days(7))
    #expect(try TimeArgument.time("+15m", now: now, option: "--as-of") == now + .minutes(15))
    #expect(try TimeArgument.time("-90s", now: now, option: "--as-of") == now - .seconds(90))
  }

  @Test(arguments: [
    "", "yesterday", "2026-01-05T10", "2026-13-01", "2026-02-30T00:00:00Z", "-2", "-h",
    "--2h", "++2h", "-+2h", "- 2h", "2h", "now-2h", "-1.5h", "-2x", "2026-01-05T10:30:00Zjunk",
  ])
  func badTimesAreUsageErrorsNamingTheOption(_ text: String) {
    do {
      _ = try TimeArgument.time(text, now: now, option: "--as-of")
      Issue.record("'\(text)' parsed")
    } catch {
      #expect(error.status == .usage)
      #expect(error.message.contains("'\(text)'") && error.message.contains("--as-of"))
    }
  }

  @Test func timesOutsideTheValidRangeAreRejected() {
    for text in ["-9999999999d", "+9999999999d", "-106751991167d", "0000-01-01T00:00:00Z"] {
      #expect(throws: CLIError.self) {
        try TimeArgument.time(text, now: now, option: "--event-time")
      }
    }
  }

  @Test func durations() throws {
    #expect(try TimeArgument.duration("90s", option: "--ttl") == .seconds(90))
    #expect(try TimeArgument.duration("15m", option: "--ttl") == .minutes(15))
    #expect(try TimeArgument.duration("24h", option: "--ttl") == .hours(24))
    #expect(try TimeArgument.duration("7d", option: "--ttl") == .days(7))
    #expect(try TimeArgument.duration("0s", option: "--x", allowZero: true) == .seconds(0))
    for bad in ["0s", "7", "d", "-7d", "+7d", "1.5h", "7 d", "7D", "99999999999999999d", ""] {
      #expect(throws: CLIError.self, "\(bad)") { try TimeArgument.duration(bad, option: "--ttl") }
    }
  }
}

@Suite struct ValueArgumentTests {
  func parse(_ text: String, _ type: ValueType) throws(CLIError) -> FeatureValue {
    try ValueArgument.value(text, as: type, feature: "f")
  }

  @Test func eachTypeParses() throws {
    #expect(try parse("42", .int) == .int(42))
    #expect(try parse("-9223372036854775808", .int) == .int(.min))
    #expect(try parse("12.5", .double) == .double(12.5))
    #expect(try parse("-1e-3", .double) == .double(-0.001))
    #expect(try parse("true", .bool) == .bool(true))
    #expect(try parse("false", .bool) == .bool(false))
    #expect(try parse(" spaced, \"quoted\" ", .string) == .string(" spaced, \"quoted\" "))
    #expect(try parse("", .string) == .string(""))
    #expect(try parse("0x00ff", .bytes) == .bytes([0, 255]))
    #expect(try parse("0XAbCd", .bytes) == .bytes([0xab, 0xcd]))
    #expect(try parse("0x", .bytes) == .bytes([]))
    #expect(try parse("[0.5,-1,2e2]", .embedding(dims: 3)) == .embedding([0.5, -1, 200]))
    #expect(try parse(" [ 0.5 , 1 ] ", .embedding(dims: 2)) == .embedding([0.5, 1]))
  }

  @Test(arguments: [
    ("1.0", ValueType.int), ("9223372036854775808", .int), ("", .int), ("abc", .double),
    ("yes", .bool), ("True", .bool), ("1", .bool), ("00ff", .bytes), ("0x0", .bytes),
    ("0xzz", .bytes), ("0x\u{0660}1", .bytes), ("[1,2]", .embedding(dims: 3)),
    ("1,2,3", .embedding(dims: 3)), ("[1,,3]", .embedding(dims: 3)),
    ("[1,nan,3]", .embedding(dims: 3)),
    ("[1,1e50,3]", .embedding(dims: 3)), ("[]", .embedding(dims: 1)), ("[", .embedding(dims: 1)),
  ])
  func badValuesAreUsageErrorsNamingFeatureAndType(_ text: String, _ type: ValueType) {
    do {
      let v = try parse(text, type)
      Issue.record("'\(text)' parsed as \(v)")
    } catch {
      #expect(error.status == .usage)
      #expect(error.message.contains("feature 'f' (\(type))"), "\(error.message)")
    }
  }

  @Test func embeddingErrorsSayHowManyNumbersAreNeeded() {
    #expect(throws: CLIError.self) { try parse("[1,2]", .embedding(dims: 3)) }
    do {
      _ = try parse("[1,2]", .embedding(dims: 3))
    } catch {
      #expect(error.message.contains("3 numbers") && error.message.contains("got 2"))
    }
  }
}

@Suite struct LineageArgumentTests {
  @Test func versionsAndRawIds() throws {
    #expect(try LineageArgument.input("user.clicks:u1@7") == .version("user.clicks", "u1", 7))
    #expect(try LineageArgument.input("f:a:b@c@12") == .version("f", "a:b@c", 12))
    #expect(try LineageArgument.input("raw:evt-991") == .raw("evt-991"))
    #expect(try LineageArgument.input("raw:a:b@1") == .raw("a:b@1"))
    for text in ["user.clicks:u1@7", "f:a:b@c@12", "raw:evt-991"] {
      #expect(LineageArgument.text(try LineageArgument.input(text)) == text)
    }
  }

  @Test(arguments: [
    "", "raw:", "f:u1", "f@1", ":u1@1", "f:@1", "f:u1@", "f:u1@0", "f:u1@x", "f:u1@-1",
  ])
  func malformedInputsAreUsageErrors(_ text: String) {
    #expect(throws: CLIError.self) { try LineageArgument.input(text) }
  }
}

/// Repeated `--input` flags reach argument-parser as one argument (issue 19, item 9: it made N
/// flags cost N² time); the inputs and their order are unchanged.
@Suite struct InputCollapseTests {
  @Test func repeatedInputsBecomeOneArgumentInOrder() {
    #expect(
      LineageArgument.collapse([
        "put", "f", "e", "1", "--input", "a:u@1", "--run", "r", "--input=raw:x", "--input", "b:v@2",
      ]) == ["put", "f", "e", "1", "--input", "a:u@1\0raw:x\0b:v@2", "--run", "r"])
    // The value of --event-time is never a flag; nothing after -- is touched; other commands
    // are left alone.
    #expect(
      LineageArgument.collapse(["put", "--event-time", "--input", "f", "--", "--input", "x"])
        == ["put", "--event-time", "--input", "f", "--", "--input", "x"])
    #expect(LineageArgument.collapse(["lineage", "--input", "a"]) == ["lineage", "--input", "a"])
    #expect(LineageArgument.collapse(["put", "f", "--input"]) == ["put", "f", "--input"])
  }

  @Test func aPutWithManyInputsKeepsThemAll() throws {
    let command = try FDB.parseAsRoot(
      FDB.prepare(["put", "f", "e", "1"] + (1...300).flatMap { ["--input", "a:u@\($0)"] }))
    let put = try #require(command as? Put)
    #expect(try put.write.lineage().inputs == (1...300).map { .version("a", "u", UInt64($0)) })
  }
}

@Suite struct GlobalOptionTests {
  @Test func globalsBeforeTheCommandMoveAfterIt() {
    #expect(
      GlobalOptions.hoist(["--db", "x", "--json", "get", "f", "e"]) == [
        "get", "--db", "x", "--json", "f", "e",
      ])
    #expect(
      GlobalOptions.hoist(["--db=x", "--quiet", "put", "f"]) == ["put", "--db=x", "--quiet", "f"])
    #expect(GlobalOptions.hoist(["get", "f", "e", "--db", "x"]) == ["get", "f", "e", "--db", "x"])
    // A value that looks like a command name stays the value of --db.
    #expect(GlobalOptions.hoist(["--db", "get", "stats"]) == ["stats", "--db", "get"])
  }

  @Test func globalsWithoutACommandAreDropped() {
    #expect(GlobalOptions.hoist(["--json"]) == [])
    #expect(GlobalOptions.hoist(["--json", "--help"]) == ["--help"])
    #expect(GlobalOptions.hoist(["--json", "help", "get"]) == ["help", "get"])
    #expect(GlobalOptions.hoist(["--db"]) == ["--db"])
  }

  @Test func parsedCommandsSeeHoistedGlobals() throws {
    let command = try FDB.parseAsRoot(
      GlobalOptions.hoist(["--db", "/tmp/s", "--json", "get", "f", "e"]))
    let get = try #require(command as? Get)
    #expect(get.global.path == "/tmp/s" && get.global.json && !get.global.quiet)
    #expect(get.first == "f" && get.second == "e")
  }

  @Test func negativeValuesGetAHint() {
    #expect(FDB.negativeValue(in: ["put", "f", "e", "-3.5"]) == "-3.5")
    #expect(FDB.negativeValue(in: ["put", "f", "e", "-inf"]) == "-inf")
    #expect(FDB.negativeValue(in: ["get", "f", "e", "--as-of", "-2h"]) == nil)
    #expect(FDB.negativeValue(in: ["put", "f", "e", "--", "-3"]) == nil)
  }
}

@Suite struct ExitCodeTests {
  @Test func engineErrorsMapToDocumentedStatuses() {
    #expect(ExitStatus(FeatureDBError.unknownFeature("x")) == .notFound)
    #expect(
      ExitStatus(FeatureDBError.historyPruned(feature: "f", entity: "e", removed: 1)) == .notFound)
    #expect(
      ExitStatus(FeatureDBError.historyVacuumed(feature: "f", entity: "e", removed: 1)) == .notFound
    )
    #expect(ExitStatus(FeatureDBError.invalidFeatureName("x y", reason: "space")) == .usage)
    #expect(
      ExitStatus(FeatureDBError.invalidValue(feature: "f", entity: "e", reason: "NaN")) == .usage)
    #expect(ExitStatus(FeatureDBError.notAStore(path: "p", reason: "r")) == .failure)
    #expect(ExitStatus(FeatureDBError.corruptStore(table: "t", detail: "d")) == .failure)
    #expect(ExitStatus(FeatureDBError.readOnly(path: "p")) == .failure)
    #expect(ExitStatus.verifyFailed.rawValue == 4)
  }
}

@Suite struct OutputTests {
  @Test func jsonEscapesAndKeepsKeyOrder() {
    let doc = JSON.object([
      ("b", .string("a\"b\\c\nd\u{01}é")), ("a", .array([.int(1), .double(.nan), .float(0.1)])),
      ("n", .null), ("t", .bool(true)),
    ])
    #expect(doc.compact == #"{"b":"a\"b\\c\nd\u0001é","a":[1,"NaN",0.1],"n":null,"t":true}"#)
    #expect(JSON.object([]).pretty == "{}")
  }

  @Test func tablesAlignAndColourOnlyWhenAsked() {
    var table = Table([
      .init(title: "NAME"), .init(title: "N", rightAligned: true), .init(title: "LAST"),
    ])
    table.append(["a", "100", "x"])
    table.append([Table.Cell("long-name", .bold), "7", "y"])
    #expect(
      table.render(color: false) == [
        "NAME         N  LAST", "a          100  x", "long-name    7  y",
      ])
    #expect(table.render(color: true)[2].contains("\u{1B}[1m"))
    #expect(!table.render(color: false).joined().contains("\u{1B}"))
  }

  @Test func progressLineShowsRateAndETA() {
    let line = Progress.line(
      "vacuum", done: 2500, total: 10000, elapsed: 2, unit: .items("versions"))
    #expect(line == "vacuum  2500/10000 versions  25%  1.3k versions/s  ETA 6s")
    let bytes = Progress.line("compact", done: 1 << 20, total: 4 << 20, elapsed: 1, unit: .bytes)
    #expect(bytes == "compact  1.0 MiB / 4.0 MiB  25%  1.0 MiB/s  ETA 3s")
    #expect(
      Progress.line("x", done: 5, total: nil, elapsed: 0, unit: .items("v")) == "x  5 v  0 v/s")
    #expect(Progress.duration(125) == "2m05s")
  }

  /// A command that fails while its progress line is drawn gets the line cleared before its
  /// error message (`FDB.fail`); a finished line needs no clearing.
  @Test func aProgressLineLeftDrawnIsClearedOnce() {
    let progress = Progress("x", total: nil, unit: .items("v"), enabled: true)
    progress.update(1)
    #expect(Progress.clearShownLine())
    #expect(!Progress.clearShownLine())
    let finished = Progress("y", total: nil, unit: .items("v"), enabled: true)
    finished.update(1)
    finished.finish()
    #expect(!Progress.clearShownLine())
  }

  @Test func valuesForPeopleStayOnOneLine() {
    // Table cells escape what Display.text leaves as it is (DisplayText.oneLine).
    #expect(Table.Cell(Display.text(.string("a\nb\tc\\d"))).text == "a\\nb\\tc\\\\d")
    let long = Display.text(.embedding([Float](repeating: 0.5, count: 100)), limit: 40)
    #expect(long.count == 40 && long.hasSuffix("… (100 dims)"))
    #expect(Display.text(nil as FeatureValue?) == "(deleted)")
    #expect(Display.bytes(1536) == "1.5 KiB")
  }
}

/// Numbers that do not fit a Double are usage errors, not ±inf or 0 (issue 13, item 9).
@Suite struct NumberRangeTests {
  @Test(arguments: ["1e400", "-1e400", "1e-400", "-1e-400", "0.0000e-999999", "0x1p-2000"])
  func outOfRangeTextIsRefused(_ text: String) {
    let refused = (try? ValueArgument.value(text, as: .double, feature: "f")) == nil
    #expect(refused == (text != "0.0000e-999999"), "\(text)")
  }

  @Test(arguments: [
    ("inf", Double.infinity), ("-Infinity", -Double.infinity), ("0", 0.0), ("-0.0", 0.0),
    ("1e308", 1e308), ("4.9e-324", 4.9e-324), ("0e-400", 0.0), ("12.5", 12.5),
  ])
  func inRangeTextAndExplicitInfinityAreAccepted(_ text: String, _ expected: Double) throws {
    #expect(try ValueArgument.value(text, as: .double, feature: "f") == .double(expected))
  }

  @Test func nanIsAcceptedAsDocumented() throws {
    guard case .double(let v) = try ValueArgument.value("nan", as: .double, feature: "f") else {
      Issue.record("not a double")
      return
    }
    #expect(v.isNaN)
  }

  @Test func theMessageSaysWhy() {
    do {
      _ = try ValueArgument.value("1e400", as: .double, feature: "f")
      Issue.record("accepted")
    } catch {
      #expect(error.message.contains("out of range"), "\(error.message)")
      #expect(error.status == .usage)
    }
  }
}
