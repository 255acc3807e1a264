import Foundation

extension FeatureStore {
  /// Writes every retained version of `options.features` (as of write time W) to a directory of
  /// Hive-style partitions for Spark: `feature=<name>/date=<YYYY-MM-DD of the event time>/
  /// part-<shard>-<n>.csv`, with columns `entity_id, event_time, write_time, version, status,
  /// value` (status `active`, `deleted` for a tombstone, or `retracted` at W; value as
  /// `fdb export` formats it, embeddings as a JSON array). History that pruning or vacuum
  /// removed goes to `_removed/feature=<name>/part-<shard>-0.csv` (`entity_id, removed_by,
  /// min_event_time, max_event_time, versions`), so a point-in-time join can tell where it
  /// lacks history. `_schema.json` holds the Spark schema of the part files, `_manifest.json`
  /// this summary, and `_SUCCESS` is written last: the directory appears whole or not at all.
  /// An export as of now records the last change it includes (``PartitionedExportSummary/toChange``);
  /// with ``Partitioning/fromChange`` it writes only the pairs changed since, listed in
  /// `_pairs/feature=<name>/part-<shard>-0.csv`. docs/scale-out.md describes the layout.
  ///
  /// ```swift
  /// try db.exportPartitioned(
  ///   to: "export/shard-1", options: ExportOptions(features: ["user.spend_7d"]),
  ///   partitioning: Partitioning(shard: try Shard(1, of: 3)))
  /// ```
  ///
  /// - Parameters:
  ///   - directory: a new or empty directory in an existing one.
  ///   - options: the features and the write time W (default: the time of the export's read
  ///     snapshot, which no committed write time exceeds); the other settings are for CSV
  ///     exports and are ignored.
  ///   - partitioning: the shard to keep and the part file size.
  /// - Throws: ``FeatureDBError/outputNotEmpty(path:)`` when `directory` holds files;
  ///   ``FeatureDBError/invalidArgument(_:)`` for no features or a bad `rowsPerFile`;
  ///   ``FeatureDBError/unknownFeature(_:)``; ``FeatureDBError/changesTrimmed(after:oldest:)``
  ///   when the feed no longer holds the changes after `fromChange`.
  @discardableResult
  public func exportPartitioned(
    to directory: String, options: ExportOptions, partitioning: Partitioning = Partitioning()
  ) throws -> PartitionedExportSummary {
    guard partitioning.rowsPerFile >= 1 else {
      throw FeatureDBError.invalidArgument(
        "rows per file must be at least 1, got \(partitioning.rowsPerFile)")
    }
    if let w = options.writeTime, !w.isValid {
      throw FeatureDBError.timeOutOfRange("as-of write time", w)
    }
    if partitioning.fromChange != nil, options.writeTime != nil {
      throw FeatureDBError.invalidArgument(
        "an incremental export (from a change) reads as of now; it takes no as-of write time")
    }
    let output = try OutputDirectory(directory)
    let shard = partitioning.shard
    var versions = PartFiles(
      root: output.temporary, shard: shard?.index ?? 0,
      header: ["entity_id", "event_time", "write_time", "version", "status", "value"],
      rowsPerFile: partitioning.rowsPerFile)
    var removed = PartFiles(
      root: output.temporary + "/_removed", shard: shard?.index ?? 0,
      header: ["entity_id", "removed_by", "min_event_time", "max_event_time", "versions"],
      rowsPerFile: .max)
    var pairs = PartFiles(
      root: output.temporary + "/_pairs", shard: shard?.index ?? 0, header: ["entity_id"],
      rowsPerFile: .max)
    do {
      var summary = try read { snap in
        let features = try exportedFeatures(snap, options)
        let last = try snap.lastChange()
        // As of now: the snapshot's time, never before the last write time it holds.
        let writeTime =
          try options.writeTime
          ?? max(
            snap.now,
            Timestamp(
              microseconds: try MetaStore(table: tables.meta)
                .checkedLastWriteTime(snap) ?? .min))
        var summary = PartitionedExportSummary(
          storeID: storeID, writeTime: writeTime.iso8601, shard: shard?.description,
          features: features.map {
            .init(name: $0.name, type: $0.type.description, ttlMicroseconds: $0.ttl)
          })
        if options.writeTime == nil, tables.changes != nil { summary.toChange = last }
        summary.fromChange = partitioning.fromChange
        let changed = try partitioning.fromChange.map {
          try ChangedPairs(snap, after: $0, features: features.map(\.name))
        }
        let wanted = Dictionary(uniqueKeysWithValues: features.map { ($0.id, $0) })
        let w = writeTime.microseconds
        var lastEntity: (id: UInt64, name: String, inShard: Bool)?
        let cursor = try Cursor(tables.chains, snap)
        var entry = try cursor.first()
        while let (key, record) = entry {
          entry = try cursor.next()
          guard let (entityID, featureID) = Keys.parseChain(key) else {
            throw FeatureDBError.corruptStore(table: "chains", detail: "undecodable key")
          }
          guard let f = wanted[featureID] else { continue }
          if lastEntity?.id != entityID {
            let name = try entityTable.name(entityID, snap)
            let inShard = shard?.contains(name) ?? true
            if inShard { summary.entities += 1 } else { summary.otherShardEntities += 1 }
            lastEntity = (entityID, name, inShard)
          }
          guard let (_, entity, inShard) = lastEntity, inShard else { continue }
          let feature = HivePath.folder("feature", f.name)
          if let changed {
            guard changed.contains(f.name, entity) else { continue }
            try pairs.write(feature, [entity])
            summary.pairs += 1
          }
          try snap.corruptionNamed(f, entity) {
            let head = try ChainRecord.Reader(record, format: f.format, epoch: epoch)
            for (range, cause) in [
              (head.header.pruned, "pruning"), (head.header.vacuumed, "vacuum"),
            ] {
              // A range whose versions were all written after W was never seen at W.
              guard let r = range, r.written(by: w) else { continue }
              try removed.write(
                feature,
                [
                  entity, cause, Timestamp(microseconds: r.minEventTime).iso8601,
                  Timestamp(microseconds: r.maxEventTime).iso8601, String(r.count),
                ])
              summary.removedRanges += 1
            }
            try snap.forEachRecord(head: head, f, entityID: entityID) { reader in
              var entries = reader
              while let e = try entries.next() {
                guard e.writeTime <= w else { continue }
                let hit = Snapshot.Hit(
                  feature: f, entity: entity, entityID: entityID, reader: reader, entry: e)
                let status =
                  try snap.isRetracted(e, reader, entity: entityID, feature: f.id, at: w)
                  ? "retracted" : e.kind == .tombstone ? "deleted" : "active"
                let event = Timestamp(microseconds: e.eventTime).iso8601
                try versions.write(
                  feature + "/" + HivePath.folder("date", String(event.prefix(10))),
                  [
                    entity, event, Timestamp(microseconds: e.writeTime).iso8601,
                    String(e.version), status, try snap.value(of: hit).map(CSVValue.format) ?? "",
                  ])
                summary.versions += 1
                if summary.versions % 100_000 == 0 { options.progress?(summary.versions, 0) }
              }
              return true
            }
          }
        }
        return summary
      }
      try versions.finish()
      try removed.finish()
      try pairs.finish()
      summary.files = versions.files + removed.files + pairs.files
      try writeDescription(summary, in: output.temporary)
      try output.commit()
      return summary
    } catch {
      output.discard()
      throw error
    }
  }

  /// `_manifest.json` (the summary) and `_schema.json` (the Spark schema of the part files).
  private func writeDescription(_ summary: PartitionedExportSummary, in directory: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    for (name, data) in [
      ("_manifest.json", try encoder.encode(summary) + Data("\n".utf8)),
      ("_schema.json", Data(PartitionedExportSummary.sparkSchema.utf8)),
    ] {
      let path = directory + "/" + name
      let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
      guard fd >= 0 else {
        throw FeatureDBError.storage(
          operation: "creating \(path)", code: LMDBError(rawValue: errno))
      }
      defer { close(fd) }
      let written = data.withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
      guard written == data.count, fsync(fd) == 0 else {
        throw FeatureDBError.storage(operation: "writing \(path)", code: LMDBError(rawValue: errno))
      }
    }
  }
}

extension PartitionedExportSummary {
  /// The Spark schema (`StructType.json()`) of the version part files, partition columns
  /// last; read with it, no type is inferred (entity ids such as `00123` stay strings).
  static let sparkSchema = """
    {"type":"struct","fields":[\
    {"name":"entity_id","type":"string","nullable":true,"metadata":{}},\
    {"name":"event_time","type":"timestamp","nullable":true,"metadata":{}},\
    {"name":"write_time","type":"timestamp","nullable":true,"metadata":{}},\
    {"name":"version","type":"long","nullable":true,"metadata":{}},\
    {"name":"status","type":"string","nullable":true,"metadata":{}},\
    {"name":"value","type":"string","nullable":true,"metadata":{}},\
    {"name":"feature","type":"string","nullable":true,"metadata":{}},\
    {"name":"date","type":"string","nullable":true,"metadata":{}}]}

    """
}
