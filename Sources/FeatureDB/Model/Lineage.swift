/// Where a version came from: the code, the job run, the source and the exact inputs.
///
/// ```swift
/// let lineage = Lineage(producer: "extract.temporal@1.2.0", run: "run-2026-01-05",
///                       source: "events.parquet", inputs: [.version("user.clicks", "u1", 7)])
/// ```
public struct Lineage: Hashable, Sendable, Codable {
  /// `name@version` of the code that produced the value.
  public var producer: String?
  /// Id of the job run that wrote it.
  public var run: String?
  /// Where the input came from (a file, a table, a topic).
  public var source: String?
  /// The parent versions or raw input ids it was derived from.
  public var inputs: [LineageInput]
  /// Free-form text kept with the version.
  public var note: String?

  /// Creates lineage; every part is optional.
  public init(
    producer: String? = nil, run: String? = nil, source: String? = nil,
    inputs: [LineageInput] = [], note: String? = nil
  ) {
    self.producer = producer
    self.run = run
    self.source = source
    self.inputs = inputs
    self.note = note
  }

  /// No lineage: every part empty.
  public static let none = Lineage()
}

/// One input of a derived version.
public enum LineageInput: Hashable, Sendable, Codable, CustomStringConvertible {
  /// An exact stored version: `feature:entity@version`.
  case version(feature: String, entity: String, version: UInt64)
  /// A raw input id, such as an event id.
  case raw(String)

  /// An exact stored version, `feature:entity@version`, without argument labels.
  public static func version(_ feature: String, _ entity: String, _ version: UInt64) -> LineageInput
  {
    .version(feature: feature, entity: entity, version: version)
  }

  /// `feature:entity@version` or `raw:id`: the spelling `fdb` prints and parses (`--input`).
  public var description: String {
    switch self {
    case .version(let f, let e, let v): "\(f):\(e)@\(v)"
    case .raw(let id): "raw:" + id
    }
  }
}

extension Lineage {
  /// Whether two lineages hold the same strings byte for byte (`==` compares strings by
  /// canonical equivalence, which would merge ids that differ in bytes).
  static func sameBytes(_ a: Lineage, _ b: Lineage) -> Bool {
    same(a.producer, b.producer) && same(a.run, b.run) && same(a.source, b.source)
      && sameExtra(a, b)
  }

  /// Whether two lineages have the same inputs and note, byte for byte: what their encoded
  /// extra part holds. Inputs in one array buffer are the same without a look at them.
  static func sameExtra(_ a: Lineage, _ b: Lineage) -> Bool {
    guard same(a.note, b.note), a.inputs.count == b.inputs.count else { return false }
    let shared = a.inputs.withUnsafeBufferPointer { x in
      b.inputs.withUnsafeBufferPointer { y in x.baseAddress == y.baseAddress }
    }
    return shared || zip(a.inputs, b.inputs).allSatisfy { LineageInput.sameBytes($0, $1) }
  }

  private static func same(_ x: String?, _ y: String?) -> Bool {
    switch (x, y) {
    case (nil, nil): true
    case (let x?, let y?): x.hasSameUTF8(as: y)
    default: false
    }
  }
}

extension LineageInput {
  /// Whether two inputs name the same thing with the same bytes.
  static func sameBytes(_ a: LineageInput, _ b: LineageInput) -> Bool {
    switch (a, b) {
    case (.raw(let x), .raw(let y)): x.hasSameUTF8(as: y)
    case (.version(let f, let e, let v), .version(let g, let d, let w)):
      v == w && f.hasSameUTF8(as: g) && e.hasSameUTF8(as: d)
    default: false
    }
  }
}
