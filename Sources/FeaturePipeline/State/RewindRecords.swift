import FeatureDB
import Foundation

/// The runs of one pipeline prefix, in the order they committed, with what the pipeline state
/// did about their rollbacks: the checkpoint `pipeline-runs:<prefix>` (docs/format.md,
/// *Pipeline run ledger*). Written in the first transaction of every invocation that commits,
/// and by each rewind and restore.
struct RunLedger: Codable, Equatable {
  /// One run of the prefix.
  struct Entry: Codable, Equatable {
    /// The run id.
    var run: String
    /// The epoch of the run's first invocation that committed.
    var first: UInt64
    /// The epoch of its last invocation that committed.
    var last: UInt64
    /// The epoch of the rewind that took the state back to before the run; nil while the
    /// state holds what the run wrote.
    var rewound: UInt64?
    /// Nil while the run's pre-run records are kept; "dropped" once they are no longer (to be
    /// removed), "removed" once they are gone.
    var records: String?
  }

  /// The ledger's format (1).
  var format = 1
  /// The last epoch given out: one per invocation that committed, rewind and restore.
  var epoch: UInt64 = 0
  /// The runs, in the order of their first epochs.
  var runs: [Entry] = []

  /// The checkpoint name of the ledger of the pipeline with `prefix` (as applied to names).
  static func name(prefix: String) -> String { "pipeline-runs:\(prefix)" }

  init() {}

  init(decoding bytes: [UInt8], prefix: String) throws(PipelineError) {
    do { self = try JSONDecoder().decode(RunLedger.self, from: Data(bytes)) } catch {
      throw .corruptState("run ledger of prefix '\(prefix)': \(error)")
    }
    guard format == 1 else {
      throw .corruptState("run ledger of prefix '\(prefix)': unknown format \(format)")
    }
  }

  func encoded() -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return Array(try! encoder.encode(self))  // plain strings and integers: cannot fail
  }

  /// Counts an invocation of `run` at `epoch` (the next one), and drops the pre-run records
  /// no rewind or restore can use any more: those of rewound runs (something commits after
  /// their rewind, so it cannot be restored), and those of the runs before the `keeping` latest
  /// ones that are not rewound (`run` always kept).
  mutating func record(_ run: String, at epoch: UInt64, keeping: Int) {
    self.epoch = epoch
    if let i = runs.firstIndex(where: { $0.run == run }) {
      runs[i].last = epoch
    } else {
      runs.append(Entry(run: run, first: epoch, last: epoch))
    }
    let live = runs.indices.filter { runs[$0].records == nil && runs[$0].run != run }
    for i in live where runs[i].rewound != nil { runs[i].records = "dropped" }
    for i in live.filter({ runs[$0].rewound == nil }).dropLast(max(keeping, 1) - 1) {
      runs[i].records = "dropped"
    }
  }
}

/// What one run found in one piece of pipeline state before it first changed it: a user's
/// state, a source IP record or an input checkpoint, with, once the run has been rewound, what
/// the rewind replaced (so an undo of the rollback can put it back). A checkpoint
/// `pipeline-rewind:…` per (prefix, run, piece), written in the transaction of the run's first
/// batch that changes the piece (docs/format.md, *Pre-run records*).
struct PreRunRecord: Equatable {
  /// Which pipeline state a record saves.
  enum Kind: UInt8 {
    /// A user's state (namespace `pipeline:<prefix>`).
    case user = 0
    /// A source IP record (namespace `pipeline-ip:<prefix>`).
    case source = 1
    /// An input checkpoint (`pipeline:<prefix>:<input>`).
    case checkpoint = 2

    /// The letter that starts the record name's last part.
    var letter: String { ["u", "i", "c"][Int(rawValue)] }
  }

  static let formatVersion: UInt8 = 1

  var kind: Kind
  /// The epoch of the invocation that saved it.
  var epoch: UInt64
  /// The user id, source IP key or checkpoint name.
  var name: String
  /// The bytes before the run (nil: there were none).
  var before: [UInt8]?
  /// Set by a rewind: the bytes it replaced (`.some(nil)`: there were none); nil until then.
  var after: [UInt8]??

  /// The name prefix of the records of `run` of the pipeline whose state namespace is
  /// `namespace`: `pipeline-rewind:<16 hex>:<16 hex>:`, the ``stableHash(_:)`` of each.
  static func prefix(namespace: String, run: String) -> String {
    "pipeline-rewind:\(hex(stableHash(namespace))):\(hex(stableHash(run))):"
  }

  /// The record's name: the prefix, the kind's letter and the name, or `#` and the name's
  /// hash (16 hex digits) instead of the name when the whole would exceed 400 bytes.
  static func name(_ kind: Kind, _ name: String, prefix: String) -> String {
    let full = prefix + kind.letter + name
    return full.utf8.count <= 400 ? full : prefix + kind.letter + "#" + hex(stableHash(name))
  }

  private static func hex(_ h: UInt64) -> String {
    let s = String(h, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
  }

  init(kind: Kind, epoch: UInt64, name: String, before: [UInt8]?, after: [UInt8]?? = nil) {
    self.kind = kind
    self.epoch = epoch
    self.name = name
    self.before = before
    self.after = after
  }

  /// `u8` format (1), `u8` kind, varint epoch, the name (varint length, UTF-8), `u8` flags
  /// (bit 0: before holds bytes, bit 1: rewound, bit 2: after holds bytes), then before and
  /// after as varint length and bytes when their bits are set.
  func encoded() -> [UInt8] {
    var w = StateWriter(capacity: 16 + name.utf8.count + (before?.count ?? 0))
    w.byte(Self.formatVersion)
    w.byte(kind.rawValue)
    w.varint(epoch)
    w.string(name)
    let afterBytes = after.flatMap { $0 }
    w.byte((before != nil ? 1 : 0) | (after != nil ? 2 : 0) | (afterBytes != nil ? 4 : 0))
    for b in [before, afterBytes] {
      guard let b else { continue }
      w.varint(UInt64(b.count))
      w.append(b)
    }
    return w.bytes
  }

  init(decoding bytes: [UInt8], record: String) throws(PipelineError) {
    do throws(PipelineError) {
      var r = StateReader(bytes)
      guard try r.byte() == Self.formatVersion else {
        throw PipelineError.corruptState("unknown format")
      }
      guard let kind = Kind(rawValue: try r.byte()) else {
        throw PipelineError.corruptState("unknown kind")
      }
      self.kind = kind
      epoch = try r.varint()
      name = try r.string()
      let flags = try r.byte()
      guard flags & ~7 == 0, flags & 6 != 4 else {
        throw PipelineError.corruptState("flags \(flags)")
      }
      before = flags & 1 != 0 ? try r.bytes(try r.count()) : nil
      after = flags & 2 == 0 ? nil : .some(flags & 4 != 0 ? try r.bytes(try r.count()) : nil)
    } catch {
      guard case .corruptState(let detail) = error else { throw error }
      throw .corruptState("pre-run record '\(record)': \(detail)")
    }
  }
}
