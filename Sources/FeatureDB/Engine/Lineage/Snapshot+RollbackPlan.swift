/// A version a rollback names, with the event time that finds its segment (when known).
struct ListedVersion: Hashable {
  var entity: UInt64
  var feature: UInt64
  var version: UInt64
  var eventTime: Int64?

  /// Whether `a` sorts before `b` by (entity, feature, version): the order of the keys that
  /// list them.
  static func precedes(_ a: ListedVersion, _ b: ListedVersion) -> Bool {
    (a.entity, a.feature, a.version) < (b.entity, b.feature, b.version)
  }
}

/// What a rollback covers: a rule reads consult, and the versions it lists.
struct RollbackPlan {
  var kind: RetractionRule.Kind
  var listed: [ListedVersion]
}

/// What a rollback records: its plan, every version it lists (with a cascade, the derived ones
/// too; in key order, see ``ListedVersion/precedes(_:_:)``) and how many of those derived versions are active; and what tells whether it is still
/// exact in a later snapshot.
struct RollbackListing {
  var plan: RollbackPlan
  var listed: [ListedVersion]
  var cascaded: Int
  /// The last write time of the snapshot it was worked out in.
  var lastWrite: Int64 = .min
  /// A value rollback's chain and its next version then.
  var chain: (entity: UInt64, feature: Feature, next: UInt64)?
  /// With a cascade: the features of every version it covers (new versions derived from one of
  /// them would be missing).
  var features: Set<UInt64> = []
}

extension Snapshot {
  /// What a rollback of `target` records.
  ///
  /// - Throws: ``FeatureDBError/nothingToRollBack(_:)`` when it covers no version, and what
  ///   ``rollbackPlan(_:)`` throws.
  func rollbackListing(_ target: RollbackTarget, cascade: Bool) throws -> RollbackListing {
    let plan = try rollbackPlan(target)
    guard try coversAny(plan) else { throw FeatureDBError.nothingToRollBack(target.description) }
    var listing = RollbackListing(plan: plan, listed: plan.listed, cascaded: 0)
    listing.lastWrite = try MetaStore(table: store.tables.meta).checkedLastWriteTime(self) ?? .min
    switch target {
    case .toVersion(let feature, let entity, _), .toTime(let feature, let entity, _):
      let (f, entityID) = try pair(feature, entity, nil)
      listing.chain = (entityID, f, try store.nextVersion(entity: entityID, feature: f, self))
    case .feature, .run: break
    }
    guard cascade else { return listing }
    // Derived versions a rollback already retracted stay listed (an undo of that one must not
    // bring them back while this one stands) but are not counted as cascaded.
    let roots = try rollbackRoots(plan)
    let derived = try self.cascade(from: roots)
    listing.listed = (listing.listed + derived).sorted(by: ListedVersion.precedes)
    listing.cascaded = try active(derived).count { $0 }
    listing.features = Set(roots.map(\.feature)).union(derived.map(\.feature))
    if case .feature(let f, _) = plan.kind { listing.features.insert(f) }
    return listing
  }

  /// Whether `listing`, worked out in an earlier snapshot, is what this one would work out: no
  /// version was written since to a value rollback's chain, and, with a cascade, no version was
  /// derived since from a version of a feature it covers (the `edges` of those features were
  /// last written before). Versions a run or feature rule covers need no listing: its rule covers
  /// them up to the operation's time.
  func stillExact(_ listing: RollbackListing) throws -> Bool {
    if let c = listing.chain,
      try store.nextVersion(entity: c.entity, feature: c.feature, self)
        != c.next
    {
      return false
    }
    guard !listing.features.isEmpty, let edges = store.tables.v2?.edges else { return true }
    let cursor = try Cursor(edges, self)
    for f in listing.features {
      let prefix = Keys.ids(f)
      var entry = try prefix.withUnsafeBytes { try cursor.seek($0) }
      while let (key, value) = entry, key.starts(with: prefix) {
        guard let counts = try? IndexCounts.decode(value) else {
          throw FeatureDBError.undecodable(edges, key: key)
        }
        if counts.lastWrite > listing.lastWrite { return false }
        entry = try cursor.next()
      }
    }
    return true
  }

  /// Checks a rollback's target and says what it covers.
  func rollbackPlan(_ target: RollbackTarget) throws -> RollbackPlan {
    switch target {
    case .toVersion(let feature, let entity, let version):
      let (f, entityID) = try pair(feature, entity, version)
      let (kept, removed) = try lookup(f, entityID: entityID, entity: entity, version)
      guard kept != nil else {
        throw FeatureDBError.unknownVersion(
          feature: feature, entity: entity, version: version,
          detail: "it was \(removed ?? "removed"); roll back to a retained version")
      }
      return RollbackPlan(
        kind: .versions, listed: try selectedEntries(f, entityID) { $0.version > version })
    case .toTime(let feature, let entity, let writeTime):
      let (f, entityID) = try pair(feature, entity, nil)
      return RollbackPlan(
        kind: .versions,
        listed: try selectedEntries(f, entityID) { $0.writeTime > writeTime.microseconds })
    case .feature(let feature, let since):
      return RollbackPlan(
        kind: .feature(try catalog.feature(feature).id, since: since.microseconds), listed: [])
    case .run(let id):
      return RollbackPlan(kind: .run(try store.existingRun(id, self).symbol), listed: [])
    }
  }

  private func pair(_ feature: String, _ entity: String, _ version: UInt64?) throws -> (
    Feature, UInt64
  ) {
    let f = try catalog.feature(feature)
    guard let entityID = try entityID(entity) else {
      throw FeatureDBError.unknownVersion(
        feature: feature, entity: entity, version: version ?? 0, detail: "the pair has no versions")
    }
    return (f, entityID)
  }

  /// The entries of one chain that `select` picks, retracted ones too: a rollback covers every
  /// version its rule selects, so an undo of another rollback that also retracted one of them
  /// leaves it retracted while this one stands.
  private func selectedEntries(
    _ f: Feature, _ entityID: UInt64, _ select: (ChainRecord.Entry) -> Bool
  ) throws -> [ListedVersion] {
    var out: [ListedVersion] = []
    try forEachEntry(f, entityID) { e, _ in
      if select(e) {
        out.append(
          ListedVersion(entity: entityID, feature: f.id, version: e.version, eventTime: e.eventTime)
        )
      }
      return true
    }
    return out
  }

  /// Calls `body` with every entry of a chain, head then segments, until it returns false.
  func forEachEntry(
    _ f: Feature, _ entityID: UInt64,
    _ body: (ChainRecord.Entry, ChainRecord.Reader) throws -> Bool
  ) throws {
    let name = (try? store.entityTable.name(entityID, self)) ?? "#\(entityID)"
    try withChain(f, entityID: entityID, entity: name) { head in
      guard let head else { return }
      try forEachRecord(head: head, f, entityID: entityID) { record in
        var reader = record
        while let e = try reader.next() {
          guard try body(e, record) else { return false }
        }
        return true
      }
    }
  }

  /// Whether a plan covers any version (a rollback that covers none is refused): the first
  /// one found answers.
  func coversAny(_ plan: RollbackPlan) throws -> Bool {
    guard plan.listed.isEmpty else { return true }
    var any = false
    switch plan.kind {
    case .run(let symbol):
      try store.forEachRunVersion(symbol, self) { _, _, _ in
        any = true
        return false
      }
    case .feature(let id, let since):
      let f = try catalog.feature(id: id)
      for e in try store.chainEntities(of: id, self).entities where !any {
        try forEachEntry(f, e) { entry, _ in
          any = entry.writeTime > since
          return !any
        }
      }
    case .versions, .undo: break
    }
    return any
  }

  /// Every version a plan covers, listed (a run's from its index, a feature's by reading its
  /// chains): the roots a cascade starts from.
  func rollbackRoots(_ plan: RollbackPlan) throws -> [ListedVersion] {
    var out = plan.listed
    switch plan.kind {
    case .run(let symbol):
      try store.forEachRunVersion(symbol, self) { e, f, v in
        out.append(ListedVersion(entity: e, feature: f, version: v, eventTime: nil))
        return true
      }
    case .feature(let id, let since):
      let f = try catalog.feature(id: id)
      for e in try store.chainEntities(of: id, self).entities {
        try forEachEntry(f, e) { entry, _ in
          if entry.writeTime > since {
            out.append(
              ListedVersion(
                entity: e, feature: id, version: entry.version, eventTime: entry.eventTime))
          }
          return true
        }
      }
    case .versions, .undo: break
    }
    return out
  }

  /// Every version derived, transitively, from `roots` (through the `derived` index), roots
  /// excluded. Walked level by level, each level in key order, so that the cursor moves forward
  /// through `derived` instead of seeking all over it.
  func cascade(from roots: [ListedVersion]) throws -> [ListedVersion] {
    struct Key: Hashable {
      var entity: UInt64
      var feature: UInt64
      var version: UInt64

      /// One word mixed from the three, hashed once (a million keys are hashed on each insert).
      /// Equal keys mix equally; equality compares all three.
      func hash(into hasher: inout Hasher) {
        hasher.combine(
          entity &* 0x9E37_79B9_7F4A_7C15 ^ feature &* 0xC2B2_AE3D_27D4_EB4F ^ version)
      }
    }
    var seen = Set(roots.map { Key(entity: $0.entity, feature: $0.feature, version: $0.version) })
    var level = roots.sorted(by: ListedVersion.precedes)
    var out: [ListedVersion] = []
    let derived = try DerivedCursor(store, self)
    while !level.isEmpty {
      var next: [ListedVersion] = []
      for n in level {
        try derived.forEach(n.entity, n.feature, n.version) { e, f, v, t in
          guard seen.insert(Key(entity: e, feature: f, version: v)).inserted else { return }
          next.append(ListedVersion(entity: e, feature: f, version: v, eventTime: t))
        }
      }
      next.sort(by: ListedVersion.precedes)
      out += next
      level = next
    }
    return out
  }

  /// Which of `listed` are retained and visible now, by position. Each chain they name is
  /// walked once, and only until its last listed version is found: linear in the versions
  /// read, however many of one chain are listed.
  func active(_ listed: [ListedVersion]) throws -> [Bool] {
    var flags = [Bool](repeating: false, count: listed.count)
    // Positions in key order (listings are sorted already: checking costs one pass).
    let sorted = zip(listed, listed.dropFirst()).allSatisfy { !ListedVersion.precedes($1, $0) }
    let order =
      sorted
      ? Array(listed.indices)
      : listed.indices.sorted { ListedVersion.precedes(listed[$0], listed[$1]) }
    var start = 0
    while start < order.count {
      let first = listed[order[start]]
      var end = start + 1
      while end < order.count, listed[order[end]].entity == first.entity,
        listed[order[end]].feature == first.feature
      {
        end += 1
      }
      let versions = order[start..<end].map { listed[$0].version }  // ascending
      var left = versions.count
      var last = versions.count  // where the entry before was found
      let f = try catalog.feature(id: first.feature)
      try forEachEntry(f, first.entity) { e, reader in
        // Entries mostly come newest version first: try just below the last one found, then
        // search.
        var at = last - 1
        if !versions.indices.contains(at) || versions[at] != e.version {
          var high = versions.count
          at = 0
          while at < high {
            let mid = at + (high - at) / 2
            if versions[mid] < e.version { at = mid + 1 } else { high = mid }
          }
          guard at < versions.count, versions[at] == e.version else { return true }
        }
        last = at
        flags[order[start + at]] = try !isRetracted(
          e, reader, entity: first.entity, feature: first.feature, at: nil)
        left -= 1
        return left > 0
      }
      start = end
    }
    return flags
  }

  /// What a rollback would retract, changing nothing.
  func dryRun(_ target: RollbackTarget, _ options: RollbackOptions) throws -> RollbackResult {
    let plan = try rollbackPlan(target)
    let roots = try rollbackRoots(plan)
    let derived = options.cascade ? try cascade(from: roots) : []
    var refs: [VersionRef] = []
    var retracted = 0
    var cascaded = 0
    let all = roots + derived
    let isActive = try active(all)
    for (i, l) in all.enumerated() where isActive[i] {
      retracted += 1
      if i >= roots.count { cascaded += 1 }
      if refs.count < 1_000 {
        refs.append(
          VersionRef(
            feature: try catalog.feature(id: l.feature).name,
            entity: try store.entityTable.name(l.entity, self), version: l.version))
      }
    }
    return RollbackResult(operation: nil, retracted: retracted, cascaded: cascaded, versions: refs)
  }
}
