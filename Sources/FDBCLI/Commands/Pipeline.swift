import ArgumentParser
import FeatureDB
import FeaturePipeline
import Foundation

/// `fdb pipeline`: behaviour events to features with the FeaturePipeline library.
struct PipelineCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pipeline",
    abstract: "Turn behaviour events (JSON Lines) into features, exactly once, with lineage.",
    subcommands: [RunEvents.self, ListFeatures.self, Generate.self])

  /// `fdb pipeline run`.
  struct RunEvents: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Run the extractors over a JSON Lines file of events (or - for stdin).",
      discussion: """
        Every event updates its user's windows; every feature of the user is evaluated as of \
        the event's time and the changed values are written with that event time, producer \
        extractor@version, the run, the file as source and the event id as input. Each batch of \
        --batch lines commits its versions, the users' state and the file's checkpoint (file \
        identity and byte offset) in one transaction: run the same command again after a crash \
        or an interruption and it resumes where the last commit ended, with the same run. \
        A bad line stops the run (exit 2) with nothing of its batch committed, unless \
        --skip-bad-events names a rejects file. With --shard k/N only the events of users in \
        shard k of N are applied (the others are counted); resume with the same --shard. \
        Formulas: docs/pipeline.md.

        Examples:
          fdb pipeline run events.jsonl --prefix user --run ingest-7
          cat events.jsonl | fdb pipeline run - --coalesce per-event
          fdb pipeline run events.jsonl --skip-bad-events rejects.jsonl
        """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "JSON Lines file of events, or - for stdin.")
    var file: String

    @Option(help: ArgumentHelp("Namespace prepended to feature names.", valueName: "prefix"))
    var prefix = ""

    @Option(
      name: [.customLong("run"), .customLong("run-id")],
      help: ArgumentHelp(
        "Run id (default: the checkpoint's run when resuming, else pipeline-<time>).",
        valueName: "id"))
    var runID: String?

    @Option(
      help: ArgumentHelp(
        "Extractors, comma-separated (default: all; see 'fdb pipeline features').",
        valueName: "e1,e2"))
    var extractors: String?

    @Option(help: ArgumentHelp("Input lines per transaction.", valueName: "n"))
    var batch = 1_000

    @Option(help: ArgumentHelp("per-batch (default) or per-event.", valueName: "mode"))
    var coalesce = "per-batch"

    @Option(
      help: ArgumentHelp(
        "How late an event may be behind its user's newest and still count.", valueName: "duration"
      ))
    var lateness = "5m"

    @Option(
      help: ArgumentHelp(
        "How far past the clock an event's time may lie; later events are counted as future events and not applied.",
        valueName: "duration"))
    var maxFutureSkew = "1d"

    @Option(
      help: ArgumentHelp(
        "Max versions of its features (0 = unlimited); without it, new features get 10 and existing ones keep theirs.",
        valueName: "n"))
    var maxVersions: Int?

    @Option(
      help: ArgumentHelp(
        "Memory for users' decoded states between batches, in MiB; past it they are read back from the store.",
        valueName: "mib"))
    var stateCacheMb = 256

    @Option(
      help: ArgumentHelp(
        "Skip bad lines, writing them here with line number and reason.",
        valueName: "rejects.jsonl"))
    var skipBadEvents: String?

    @Option(
      help: ArgumentHelp(
        "Apply only the events of users in shard k of N (see 'fdb shard-of'); others are counted.",
        valueName: "k/N"))
    var shard: String?

    func validate() throws {
      _ = try ShardArgument.parse(shard)
      if batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
      if stateCacheMb < 0 || stateCacheMb > 1 << 40 {
        throw ValidationError("--state-cache-mb must be between 0 and 2^40, got \(stateCacheMb)")
      }
      if let maxVersions, maxVersions < 0 {
        throw ValidationError("--max-versions must be 0 or more")
      }
      if Coalesce(rawValue: coalesce) == nil {
        throw ValidationError("--coalesce must be per-batch or per-event, got '\(coalesce)'")
      }
    }

    func run() throws {
      let store = try global.openStore(.write)
      let output = global.output
      let chosen: [any FeatureExtractor]
      do {
        chosen =
          try extractors.map {
            try BuiltinExtractors.named($0.split(separator: ",").map(String.init))
          } ?? BuiltinExtractors.all
      } catch { throw CLIError.usage("\(error)") }
      let options = PipelineOptions(
        prefix: prefix, runID: runID, batchSize: batch,
        lateness: try TimeArgument.duration(lateness, option: "--lateness", allowZero: true),
        maxFutureSkew: try TimeArgument.duration(
          maxFutureSkew, option: "--max-future-skew", allowZero: true),
        coalesce: Coalesce(rawValue: coalesce)!, maxVersions: maxVersions,
        stateCacheBytes: stateCacheMb << 20, rejectsPath: skipBadEvents,
        shard: try ShardArgument.parse(shard))
      let runner = try PipelineRunner(store: store, extractors: chosen, options: options)
      let total =
        file == "-"
        ? nil : (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
      let progress = Progress("pipeline", total: total, unit: .bytes, output: output)
      runner.progress = { progress.update(Int($0.offset)) }
      let start = ContinuousClock.now
      let report: PipelineReport
      // SIGINT: commit the batch in hand, record the run as interrupted, exit 130.
      signal(SIGINT, SIG_IGN)
      let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
      interrupt.setEventHandler { [stop = runner.stopSignal] in stop.stop() }
      interrupt.resume()
      defer {
        interrupt.cancel()
        signal(SIGINT, SIG_DFL)
      }
      do {
        report = try runner.run(file: file)
      } catch let error as PipelineError {
        progress.finish()
        if case .badEvent = error { throw CLIError.usage("\(file): \(error)") }
        throw CLIError.failure("\(file): \(error)")
      }
      progress.finish()
      let seconds = Progress.seconds(start.duration(to: .now))
      let events = report.events
      output.document(
        .object([
          ("run", .string(report.runID)), ("events", .int(events)),
          ("versions", .int(report.versions)), ("late_events", .int(report.lateEvents)),
          ("too_late_events", .int(report.tooLateEvents)),
          ("too_late_event_ids", .array(report.tooLateEventIDs.map { .string($0) })),
          ("future_events", .int(report.futureEvents)),
          ("future_event_ids", .array(report.futureEventIDs.map { .string($0) })),
          ("other_shard_events", .int(report.otherShardEvents)),
          ("rejected", .int(report.rejected)), ("offset", .int(report.offset)),
          ("resumed_at", .int(report.startOffset)), ("seconds", .double(seconds)),
          ("interrupted", .bool(report.interrupted)),
          ("quality", .optional(runner.quality, QualityDisplay.json)),
        ]))
      output.fields(
        [
          ("run", report.runID),
          ("events", "\(events) (this invocation read from byte \(report.startOffset))"),
          ("versions", String(report.versions)),
          ("late events", "\(report.lateEvents) placed, \(report.tooLateEvents) too late"),
          ("rejected", String(report.rejected)),
        ]
          + (shard.map {
            [("other shards", "\(report.otherShardEvents) events of users not in \($0)")]
          } ?? []) + [
            ("time", String(format: "%.2f s", seconds))
          ] + (runner.quality.map { [("quality", QualityDisplay.summary($0))] } ?? []))
      if report.interrupted {
        Terminal.writeError(
          "fdb: interrupted: committed up to line \(report.line - 1); run the same command to resume\n"
        )
        throw ExitCode(130)
      }
      if let rewind = runner.stateRewind {
        let runs = rewind.runs.map { "'\($0)'" }.joined(separator: ", ")
        output.note(
          rewind.direction == .rewound
            ? "state rewound to before rolled-back run\(rewind.runs.count == 1 ? "" : "s") \(runs) (\(rewind.records) records)"
            : "state restored for run\(rewind.runs.count == 1 ? "" : "s") \(runs), whose rollback was undone (\(rewind.records) records)"
        )
      }
      if report.tooLateEvents > 0 {
        output.note(
          "too late (first \(report.tooLateEventIDs.count)): \(report.tooLateEventIDs.prefix(10).joined(separator: ", "))"
        )
      }
      if report.futureEvents > 0 {
        output.note(
          "\(report.futureEvents) in the future, not applied (first \(report.futureEventIDs.count)): \(report.futureEventIDs.prefix(10).joined(separator: ", "))"
        )
      }
    }
  }

  /// `fdb pipeline features`.
  struct ListFeatures: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "features", abstract: "List the features the built-in extractors define.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
      let output = global.output
      var table = Table([
        .init(title: "FEATURE"), .init(title: "TYPE"), .init(title: "EXTRACTOR"),
        .init(title: "DESCRIPTION"),
      ])
      var json: [JSON] = []
      for e in BuiltinExtractors.all {
        for f in e.features {
          table.append([
            .init(f.name), .init(f.type.description), .init(e.producer), .init(f.description),
          ])
          json.append(
            .object([
              ("name", .string(f.name)), ("type", .string(f.type.description)),
              ("extractor", .string(e.producer)), ("description", .string(f.description)),
            ]))
        }
      }
      output.table(table)
      output.document(.array(json))
    }
  }
}

extension PipelineCommand {
  /// `fdb pipeline generate`.
  struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write a seeded stream of realistic behaviour events as JSON Lines to stdout.",
      discussion: """
        The same --seed gives the same events on every machine.

        Example:
          fdb pipeline generate --users 10000 --events 1000000 --seed 7 > events.jsonl
        """)

    @Option(help: "Number of users.") var users = 1_000
    @Option(help: "Number of events.") var events = 10_000
    @Option(help: "Random seed.") var seed: UInt64 = 1

    func run() throws {
      var generator = EventGenerator(users: users, seed: seed)
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
      var buffer = Data()
      for _ in 0..<events {
        buffer.append(try encoder.encode(generator.next()))
        buffer.append(10)
        if buffer.count > 1 << 20 {
          try Terminal.writeOut(buffer)
          buffer.removeAll(keepingCapacity: true)
        }
      }
      try Terminal.writeOut(buffer)
    }
  }
}
