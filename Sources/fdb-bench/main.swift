// fdb-bench: FeatureDB against raw LMDB, one JSON line per scenario.
// Usage: swift run -c release fdb-bench [--quick] [--scenario NAME] [--batch N]
//        [--state-cache-mb N] [--rate N (pipeline_latency's arrivals per second)]
//        Any other argument, or an unknown scenario, is a usage error (exit 2).
import FeatureDB
import Foundation

let arguments = CommandLine.arguments.dropFirst()
if let first = arguments.first, first.hasPrefix("--child-export") {
  childExport(Array(arguments))
  exit(0)
}
if arguments.first == "--child-pipeline" {
  childPipeline(Array(arguments))
  exit(0)
}
/// Every name `--scenario` takes (`wanted` refuses any other, so this list cannot drift).
let scenarioNames: Set = [
  "write_batch", "storage", "latest_snapshot", "latest_call", "change_feed", "entity_vector",
  "as_of", "history10", "write_batch_pruning", "vacuum", "compact", "embedding",
  "embedding_float32", "embedding_float16", "embedding_bfloat16", "embedding_int8",
  "embedding_disk", "dictionary", "dictionary_json", "dictionary_int8", "export_snapshot",
  "export_pit", "import", "import_symbols", "long_history", "lineage_upstream",
  "lineage_downstream", "write_lineage", "rollback_run_1m", "rollback_cascade",
  "rollback_chain_1m", "rollback_cascade_chain_1m", "put_inputs", "page_checks",
  "latest_check_pages", "check_structure", "pipeline", "pipeline_per_batch",
  "pipeline_per_event", "extract_only", "generate_events", "pipeline_latency", "pipeline_memory",
  "multiprocess", "multiprocess-writer", "multiprocess-reader",
]
checkArguments(arguments, scenarios: scenarioNames)
let quick = arguments.contains("--quick")
let only = option("scenario")
let sizes = quick ? Sizes.quick : Sizes.full
/// `--batch N`: the pipeline scenarios' batch size (default 10,000).
let batch = option("batch").flatMap { Int($0) } ?? 10_000
/// `--state-cache-mb N`: `pipeline_memory`'s state cache budget (default: the pipeline's, 256).
/// `--scenario generate_events --out FILE`: writes the pipeline scenarios' events as JSON Lines.
let stateCacheMB = option("state-cache-mb").flatMap { Int($0) } ?? 256

func wanted(_ names: String...) -> Bool {
  precondition(names.allSatisfy(scenarioNames.contains), "\(names) missing from scenarioNames")
  return only == nil || names.contains(only!)
}

let scenarios = Scenarios(sizes: sizes)
if wanted("write_batch", "storage", "latest_snapshot", "latest_call") { scenarios.writeAndRead() }
if wanted("change_feed") { scenarios.changeFeed() }
if wanted("entity_vector") { scenarios.entityVector() }
if wanted("as_of", "history10") { scenarios.history() }
if wanted("write_batch_pruning") { scenarios.writePruning() }
if wanted("vacuum") { scenarios.vacuum() }
if wanted("compact") { scenarios.compact() }
if wanted(
  "embedding", "embedding_float32", "embedding_float16", "embedding_bfloat16", "embedding_int8")
{
  scenarios.embeddings()
}
if wanted("embedding_disk") { scenarios.embeddingDisk() }
if wanted("dictionary", "dictionary_json", "dictionary_int8") { scenarios.dictionary() }
if wanted("export_snapshot") { scenarios.exportSnapshot() }
if wanted("export_pit") { scenarios.exportPointInTime() }
if wanted("import") { scenarios.importCSV() }
if wanted("import_symbols") { scenarios.importSymbols(quick: quick) }
if wanted("long_history") { scenarios.longHistory(quick: quick) }
if wanted("lineage_upstream", "lineage_downstream") { scenarios.lineageQueries() }
if wanted("write_lineage") { scenarios.writeLineage() }
if wanted("rollback_run_1m") { scenarios.rollbackRun() }
if wanted("rollback_cascade") { scenarios.rollbackCascade(quick: quick) }
if wanted("rollback_chain_1m") { scenarios.rollbackChain(quick: quick) }
if wanted("rollback_cascade_chain_1m") { scenarios.rollbackCascadeChain(quick: quick) }
if wanted("put_inputs") { scenarios.putInputs() }
if wanted("page_checks", "latest_check_pages", "check_structure") { scenarios.pageChecks() }
if wanted("pipeline", "pipeline_per_batch", "pipeline_per_event") {
  scenarios.pipeline(quick: quick, only: only, batch: batch)
}
if wanted("extract_only") { scenarios.extractOnly(quick: quick, batch: batch) }
// Only when named: the pipeline scenarios' stream for the peers in bench/peers/.
if only == "generate_events", let out = option("out") {
  scenarios.generateEvents(quick: quick, to: out)
}
if wanted("pipeline_latency") { scenarios.pipelineLatency(quick: quick, batch: batch) }
if wanted("pipeline_memory") {
  scenarios.pipelineMemory(quick: quick, batch: batch, stateCacheMB: stateCacheMB)
}
if wanted("multiprocess", "multiprocess-writer", "multiprocess-reader") {
  scenarios.multiprocess(only: only, quick: quick)
}
