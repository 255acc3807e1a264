import ArgumentParser
import FeatureDB

/// Options of commands that write versions (`put`, `delete`): event time and lineage.
struct WriteOptions: ParsableArguments {
  @Option(
    name: .long, parsing: .unconditional,
    help: ArgumentHelp(
      "When the value was true in the world (ISO-8601 UTC or -2h…; default: now).",
      valueName: "time"))
  var eventTime: String?

  @Option(
    help: ArgumentHelp(
      "Code that made the value, as name@version (e.g. spend.extract@1.2.0).",
      valueName: "producer"))
  var producer: String?

  @Option(help: ArgumentHelp("Id of the job run that wrote it.", valueName: "id"))
  var run: String?

  @Option(
    help: ArgumentHelp("Where the input came from (a file, a table, a topic).", valueName: "source")
  )
  var source: String?

  @Option(
    name: .customLong("input"),
    help: ArgumentHelp(
      "A parent version FEATURE:ENTITY@VERSION, or a raw input id as raw:ID (repeatable).",
      valueName: "input"))
  var inputs: [String] = []

  @Option(help: ArgumentHelp("A free-text note kept with the version.", valueName: "text"))
  var note: String?

  /// The lineage the options describe.
  func lineage() throws(CLIError) -> Lineage {
    var parsed: [LineageInput] = []
    for text in inputs {
      for piece in text.split(separator: "\0", omittingEmptySubsequences: false) {
        parsed.append(try LineageArgument.input(String(piece)))
      }
    }
    return Lineage(producer: producer, run: run, source: source, inputs: parsed, note: note)
  }

  /// Finishes the run named by `--run` when writes recorded it (implicitly): a `put` or `delete`
  /// is the whole job, as an import is, so the run ends with each such command (`succeeded`,
  /// finished at its last one). A run a program began, or one that failed or was rolled back,
  /// is left as it is.
  func finishImplicitRun(_ store: FeatureStore) throws {
    guard let run, let record = try store.run(run), record.implicit,
      record.status == .running || record.status == .succeeded
    else { return }
    try store.finishRun(run, status: .succeeded)
  }

  /// The event time, or nil for "now" as the engine decides it (the commit time).
  func eventTime(now: Timestamp) throws(CLIError) -> Timestamp? {
    try eventTime.map { text throws(CLIError) in
      try TimeArgument.time(text, now: now, option: "--event-time")
    }
  }
}

/// Parsing of lineage inputs (`--input`). Pure functions.
public enum LineageArgument {
  /// `FEATURE:ENTITY@VERSION` → a stored version (the entity may hold `:` and `@`; the last `@`
  /// starts the version); `raw:ID` → a raw input id such as an event id.
  public static func input(_ text: String) throws(CLIError) -> LineageInput {
    let bad = CLIError.usage(
      "invalid input '\(text)' for --input: expected FEATURE:ENTITY@VERSION or raw:ID")
    if text.hasPrefix("raw:") {
      let id = String(text.dropFirst(4))
      guard !id.isEmpty else { throw bad }
      return .raw(id)
    }
    guard let colon = text.firstIndex(of: ":"), let at = text.lastIndex(of: "@"), colon < at
    else { throw bad }
    let feature = String(text[..<colon])
    let entity = String(text[text.index(after: colon)..<at])
    guard !feature.isEmpty, !entity.isEmpty, let version = UInt64(text[text.index(after: at)...]),
      version > 0
    else { throw bad }
    return .version(feature, entity, version)
  }

  /// Collapses the `--input V` and `--input=V` of a `put` or `delete` into one `--input` at the
  /// first one's place, its value the values joined by NUL (no command-line argument can hold
  /// one; ``WriteOptions`` splits them again). argument-parser removes every argument it parses
  /// from an array, which made N `--input` flags cost N² time. Stops at `--`; the value of
  /// `--event-time`, which may start with `-`, is never taken for a flag.
  public static func collapse(_ arguments: [String]) -> [String] {
    guard let command = arguments.first, command == "put" || command == "delete" else {
      return arguments
    }
    var out = [command]
    out.reserveCapacity(arguments.count)
    var values: [String] = []
    var slot: Int?
    var i = 1
    func take(_ value: String) {
      if slot == nil {
        slot = out.count
        out += ["--input", ""]
      }
      values.append(value)
    }
    while i < arguments.count {
      let a = arguments[i]
      if a == "--" {
        out += arguments[i...]
        break
      } else if a == "--input" || a == "--event-time", i + 1 < arguments.count {
        if a == "--input" { take(arguments[i + 1]) } else { out += [a, arguments[i + 1]] }
        i += 2
      } else if a.hasPrefix("--input=") {
        take(String(a.dropFirst("--input=".count)))
        i += 1
      } else {
        out.append(a)
        i += 1
      }
    }
    if let slot { out[slot + 1] = values.joined(separator: "\0") }
    return out
  }

  /// The form `input(_:)` parses: `feature:entity@version` or `raw:id`.
  public static func text(_ input: LineageInput) -> String { input.description }
}
