extension Snapshot {
  // MARK: - One version

  /// Version `number` of (feature, entity) with its lineage and status, or nil when it is no
  /// longer retained (pruned or vacuumed).
  ///
  /// - Throws: ``FeatureDBError/unknownVersion(feature:entity:version:detail:)`` when it was
  ///   never written.
  public func version(_ feature: String, _ entity: String, _ number: UInt64) throws -> Version? {
    let f = try catalog.feature(feature)
    guard let entityID = try entityID(entity) else {
      throw FeatureDBError.unknownVersion(
        feature: feature, entity: entity, version: number, detail: "the pair has no versions")
    }
    return try lookup(f, entityID: entityID, entity: entity, number).version
  }

  /// Finds version `number` in a chain: the version when retained, else why it is not. With the
  /// version's `eventTime` (a downstream walk reads it from the `derived` index) the segments
  /// that can hold it are sought, not read from the chain's newest entry.
  func lookup(
    _ f: Feature, entityID: UInt64, entity: String, _ number: UInt64, eventTime: Int64? = nil
  ) throws -> (version: Version?, removed: String?) {
    try withChain(f, entityID: entityID, entity: entity) { head in
      guard let head else {
        throw FeatureDBError.unknownVersion(
          feature: f.name, entity: entity, version: number, detail: "the pair has no versions")
      }
      var found: Version?
      var highest: UInt64 = 0
      /// Looks for the version among a record's entries; false once it is found.
      func search(_ record: ChainRecord.Reader) throws -> Bool {
        var reader = record
        while let e = try reader.next() {
          highest = max(highest, e.version)
          guard e.version == number else { continue }
          found = try version(
            of: Hit(feature: f, entity: entity, entityID: entityID, reader: record, entry: e))
          return false
        }
        return true
      }
      if let eventTime, try search(head), head.header.segments != nil,
        let table = store.tables.v2?.segments
      {
        // The segment that holds (event time, version) in chain order, or the next ones; the
        // whole chain when it is not there.
        let segments = try SegmentCursor(
          table, chainKey: Keys.chain(entity: entityID, feature: f.id), self)
        var record = try segments.seek(eventTime: eventTime, version: number)
        for _ in 0..<3 {
          guard let r = record,
            try search(ChainRecord.Reader(r, format: f.format, epoch: store.epoch))
          else { break }
          record = try segments.next()
        }
      }
      if found == nil { try forEachRecord(head: head, f, entityID: entityID, search) }
      if let found { return (found, nil) }
      let next = head.header.versionAfter(highest: highest)
      guard number >= 1, number < next else {
        throw FeatureDBError.unknownVersion(
          feature: f.name, entity: entity, version: number,
          detail: "its versions are 1…\(next - 1)")
      }
      let h = head.header
      let why =
        h.vacuumed == nil ? "pruned" : h.pruned == nil ? "vacuumed" : "pruned or vacuumed"
      return (nil, why)
    }
  }

  // MARK: - Trees

  /// Where a version came from: its parent versions through lineage inputs, recursively, to
  /// `depth` levels; raw inputs are leaves. Each version is expanded once (a cycle or a shared
  /// parent is marked `repeated`); removed and retracted parents are shown as such.
  public func upstream(
    _ feature: String, _ entity: String, version: UInt64? = nil, depth: Int = 10
  ) throws -> LineageNode {
    try tree(feature, entity, version: version, depth: depth, upstream: true)
  }

  /// Every version derived from a version (from the `derived` index), recursively.
  public func downstream(
    _ feature: String, _ entity: String, version: UInt64? = nil, depth: Int = 10
  ) throws -> LineageNode {
    try tree(feature, entity, version: version, depth: depth, upstream: false)
  }

  private func tree(
    _ feature: String, _ entity: String, version: UInt64?, depth: Int, upstream: Bool
  ) throws -> LineageNode {
    guard depth >= 1 else {
      throw FeatureDBError.invalidArgument("lineage depth must be 1 or more, got \(depth)")
    }
    let f = try catalog.feature(feature)
    let number: UInt64
    if let version {
      number = version
    } else {
      guard let latest = try latestVersion(feature, entity) else {
        throw FeatureDBError.unknownVersion(
          feature: feature, entity: entity, version: 0,
          detail: "no active version to start from; give the version")
      }
      number = latest.version
    }
    guard let entityID = try entityID(entity) else {
      throw FeatureDBError.unknownVersion(
        feature: feature, entity: entity, version: number, detail: "the pair has no versions")
    }
    // Sized for a typical tree, so it is not rehashed as it grows.
    var expanded = Set<ListedVersion>(minimumCapacity: 128)
    let derived = try DerivedCursor(store, self)
    var entries: [LineageNode.Entry] = []
    // The nodes whose children are being added, deepest last, with those still to add (in
    // reverse order): an explicit stack, so a chain of any depth needs no recursion.
    var open: [(index: Int, pending: [Child])] = []
    var next: Child? = .version(f, entityID, entity, number, nil)
    while true {
      if let child = next {
        let level = open.count
        switch child {
        case .raw(let id):
          entries.append(LineageNode.Entry(rawInput: id, state: .raw, level: level))
          open.append((entries.count - 1, []))
        case .version(let cf, let ce, let name, let cv, let eventTime):
          let (entry, children) = try expand(
            cf, ce, name, cv, eventTime: eventTime, level: level, levelsLeft: depth - level,
            upstream: upstream,
            expanded: &expanded, derived)
          entries.append(entry)
          open.append((entries.count - 1, children.reversed()))
        }
      }
      guard let last = open.indices.last else { break }
      next = open[last].pending.popLast()
      if next == nil {
        entries[open.removeLast().index].end = entries.count
        if open.isEmpty { break }
      }
    }
    return LineageNode(LineageNode.Nodes(entries), 0)
  }

  /// A child to add to a lineage tree: a version, or a raw input id.
  private enum Child {
    /// Feature, entity id, entity, version, and its event time when known.
    case version(Feature, UInt64, String, UInt64, Int64?)
    case raw(String)
  }

  /// A tree node for version `number` (at `level`), and its children in input order: none
  /// when it was expanded before (`repeated`) or no levels are left (`truncated`).
  private func expand(
    _ f: Feature, _ entityID: UInt64, _ entity: String, _ number: UInt64, eventTime: Int64?,
    level: Int, levelsLeft: Int, upstream: Bool, expanded: inout Set<ListedVersion>,
    _ derived: borrowing DerivedCursor
  ) throws -> (LineageNode.Entry, [Child]) {
    let (version, removed) = try lookup(
      f, entityID: entityID, entity: entity, number, eventTime: eventTime)
    let state: LineageNode.State =
      removed.map { .removed($0) } ?? (version!.status == .retracted ? .retracted : .active)
    var node = LineageNode.Entry(
      ref: VersionRef(feature: f.name, entity: entity, version: number), state: state,
      version: version, level: level)
    let key = ListedVersion(entity: entityID, feature: f.id, version: number, eventTime: nil)
    guard expanded.insert(key).inserted else {
      node.repeated = true
      return (node, [])
    }
    var children: [Child] = []
    if upstream {
      for input in version?.lineage.inputs ?? [] {
        switch input {
        case .raw(let id):
          children.append(.raw(id))
        case .version(let pf, let pe, let pv):
          guard let parentEntity = try self.entityID(pe) else { continue }
          children.append(.version(try catalog.feature(pf), parentEntity, pe, pv, nil))
        }
      }
    } else {
      try derived.forEach(entityID, f.id, number) { ce, cf, cv, eventTime in
        children.append(
          .version(
            try catalog.feature(id: cf), ce, try store.entityTable.name(ce, self), cv, eventTime))
      }
    }
    guard levelsLeft > 0 else {
      node.truncated = !children.isEmpty
      return (node, [])
    }
    return (node, children)
  }

  // MARK: - Feature graph

  /// The feature graph: an edge per (parent feature, derived feature, producer), with counts,
  /// maintained by every write (no scan). With `feature`, only the edges that touch it.
  public func featureGraph(feature: String? = nil) throws -> FeatureGraph {
    let only = try feature.map { try catalog.feature($0).id }
    guard let table = store.tables.v2?.edges else { return FeatureGraph(edges: []) }
    var edges: [FeatureGraph.Edge] = []
    let cursor = try Cursor(table, self)
    var entry = try cursor.first()
    while let (key, value) = entry {
      guard let ids = Keys.parseIDs(key, count: 3), let c = try? IndexCounts.decode(value) else {
        throw FeatureDBError.undecodable(table, key: key)
      }
      if only == nil || ids[0] == only || ids[1] == only {
        edges.append(
          FeatureGraph.Edge(
            parent: try catalog.feature(id: ids[0]).name,
            child: try catalog.feature(id: ids[1]).name,
            producer: ids[2] == 0 ? nil : try store.symbolTable.name(ids[2], self),
            count: Int(clamping: c.count), lastWrite: Timestamp(microseconds: c.lastWrite)))
      }
      entry = try cursor.next()
    }
    return FeatureGraph(edges: edges)
  }
}

extension FeatureStore {
  /// Where a version came from; see ``Snapshot/upstream(_:_:version:depth:)``.
  public func upstream(
    _ feature: String, _ entity: String, version: UInt64? = nil, depth: Int = 10
  ) throws -> LineageNode {
    try read { try $0.upstream(feature, entity, version: version, depth: depth) }
  }

  /// What was derived from a version; see ``Snapshot/downstream(_:_:version:depth:)``.
  public func downstream(
    _ feature: String, _ entity: String, version: UInt64? = nil, depth: Int = 10
  ) throws -> LineageNode {
    try read { try $0.downstream(feature, entity, version: version, depth: depth) }
  }

  /// The feature graph; see ``Snapshot/featureGraph(feature:)``.
  public func featureGraph(feature: String? = nil) throws -> FeatureGraph {
    try read { try $0.featureGraph(feature: feature) }
  }
}
