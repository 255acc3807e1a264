/// One value of `run_versions`: what a run wrote for one entity, as version ranges.
///
/// Key: `ovarint run ‖ ovarint entity ‖ ovarint chunk` (chunks 0, 1, 2 … in write order).
/// Value: `range*`, `range := varint feature, varint firstVersion, varint count` — the versions
/// firstVersion … firstVersion + count − 1 of (entity, feature). A run's versions of one chain are
/// usually consecutive, so a run that writes every feature of an entity many times keeps one
/// range per feature. A new chunk starts once the last holds ``limit`` ranges.
struct RunIndexChunk: Equatable {
  struct Range: Equatable {
    var feature: UInt64
    var first: UInt64
    var count: UInt64

    /// Whether the range holds `version` of `feature`.
    func contains(feature: UInt64, version: UInt64) -> Bool {
      self.feature == feature && version >= first && version - first < count
    }
  }

  /// Ranges a chunk holds at most.
  static let limit = 256

  var ranges: [Range] = []

  var isFull: Bool { ranges.count >= Self.limit }

  /// Whether the chunk has a range of `feature`.
  func has(_ feature: UInt64) -> Bool { ranges.contains { $0.feature == feature } }

  /// Adds version `version` of `feature`: extends the feature's last range when it is the next
  /// version, else starts a range.
  mutating func add(feature: UInt64, version: UInt64) {
    if let i = ranges.lastIndex(where: { $0.feature == feature }),
      ranges[i].first &+ ranges[i].count == version
    {
      ranges[i].count += 1
    } else {
      ranges.append(Range(feature: feature, first: version, count: 1))
    }
  }

  func encoded() -> [UInt8] {
    var w = ByteWriter(capacity: ranges.count * 4)
    for r in ranges {
      w.varint(r.feature)
      w.varint(r.first)
      w.varint(r.count)
    }
    return w.bytes
  }

  static func decode(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> RunIndexChunk {
    var r = ByteReader(bytes)
    var chunk = RunIndexChunk()
    while !r.isAtEnd {
      let range = Range(feature: try r.varint(), first: try r.varint(), count: try r.varint())
      guard range.count >= 1, range.first >= 1, range.first <= UInt64.max - range.count else {
        throw DecodeError("bad version range")
      }
      chunk.ranges.append(range)
    }
    return chunk
  }
}
