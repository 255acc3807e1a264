import Foundation

extension FeatureStore {
  // MARK: - Snapshot export

  /// Writes one row per entity (`entity_id`, then the features in the order given) with each
  /// cell the value ``Snapshot/asOf(_:_:eventTime:writeTime:)`` returns at T and W; entities that
  /// have none of the features are left out; rows are ordered by entity id (UTF-8 byte order).
  ///
  /// - Parameters:
  ///   - path: the CSV file to write (whole or not at all); nil for standard output.
  ///   - entityPrefix: only entities whose id starts with it.
  ///   - options: the features, the times T and W, and what to do with removed history.
  /// - Throws: ``FeatureDBError/exportNeedsRemovedHistory(cells:first:)`` unless
  ///   `options.allowMissingHistory`.
  @discardableResult
  public func exportSnapshot(to path: String?, entityPrefix: String? = nil, options: ExportOptions)
    throws -> ExportSummary
  {
    let writeTime = options.writeTime ?? .now
    let eventTime = options.eventTime ?? writeTime
    return try exporting(to: path, options) { snap, writer, features in
      var summary = ExportSummary(
        rows: 0, cells: 0, missingHistoryCells: 0, writeTime: writeTime, eventTime: eventTime)
      try writer.write(record: ["entity_id"] + header(features, options.embeddingFormat))
      let query = try snap.query(eventTime: eventTime, writeTime: writeTime)
      let prefix = Array((entityPrefix ?? "").utf8)
      var rows = try ExportRowReader(snap, features, options)
      let total = try tables.entities.count(snap)
      let entities = try Cursor(tables.entities, snap)
      var entry =
        prefix.isEmpty ? try entities.first() : try prefix.withUnsafeBytes { try entities.seek($0) }
      while let (key, value) = entry, key.starts(with: prefix) {
        let entity = String(decoding: key, as: UTF8.self)
        var r = ByteReader(value)
        guard let entityID = try? OrderedVarint.read(&r) else {
          throw FeatureDBError.corruptStore(table: "entities", detail: "bad id for '\(entity)'")
        }
        entry = try entities.next()
        let row = try rows.cells(snap, entity: entity, entityID: entityID, query)
        guard row.present else { continue }
        try writer.write(record: [entity] + row.cells)
        summary.rows += 1
        summary.cells += features.count
        summary.noteMissingHistory(row.missingHistory, features, entity, eventTime)
        if summary.rows % 10_000 == 0 { options.progress?(summary.rows, total) }
      }
      return summary
    }
  }

  // MARK: - Point-in-time export

  /// For every row of the entity-rows CSV, each feature's value as of that row's timestamp (the
  /// point-in-time rule, TTL included) and write time W: the input rows in input order with every
  /// column passed through, then one column per feature. Rows with no value keep their place with
  /// empty cells; duplicate rows stay duplicated.
  ///
  /// - Parameters:
  ///   - entityRows: the input CSV (header row required).
  ///   - entityColumn: the input column holding the entity id.
  ///   - timestampColumn: the input column holding each row's timestamp (ISO-8601).
  ///   - path: the CSV file to write (whole or not at all); nil for standard output.
  ///   - options: the features, the write time W, and what to do with removed history.
  /// - Throws: ``FeatureDBError/badCSV(_:)`` naming line and column for malformed input.
  @discardableResult
  public func exportPointInTime(
    entityRows: String, entityColumn: String = "entity_id",
    timestampColumn: String = "event_timestamp",
    to path: String?, options: ExportOptions
  ) throws -> ExportSummary {
    let writeTime = options.writeTime ?? .now
    let input = open(entityRows, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else {
      throw FeatureDBError.invalidArgument(
        "cannot read \(entityRows): \(String(cString: strerror(errno)))")
    }
    defer { close(input) }
    let total = Int(
      (try? FileManager.default.attributesOfItem(atPath: entityRows)[.size] as? Int) ?? 0)
    let name = (entityRows as NSString).lastPathComponent
    return try exporting(to: path, options) { snap, writer, features in
      var summary = ExportSummary(
        rows: 0, cells: 0, missingHistoryCells: 0, writeTime: writeTime, eventTime: nil)
      var reader = CSVReader(fd: input, name: name)
      var rows = try ExportRowReader(snap, features, options)
      let (header, entityIndex, timeIndex) = try readHeader(
        &reader, name, required: [entityColumn, timestampColumn])
      try writer.write(record: header + self.header(features, options.embeddingFormat))
      while let row = try csv({ () throws(CSVError) in try reader.next() }) {
        guard row.count == header.count else {
          throw FeatureDBError.badCSV(
            CSVError(
              file: name, line: reader.line, column: nil,
              message: "\(row.count) fields, the header has \(header.count)"))
        }
        guard let time = Timestamp(csv: row[timeIndex!]) else {
          throw FeatureDBError.badCSV(
            CSVError(
              file: name, line: reader.line, column: timeIndex! + 1,
              message: "'\(row[timeIndex!])' is not an ISO-8601 time"))
        }
        let query = try snap.query(eventTime: time, writeTime: writeTime)
        let entity = row[entityIndex!]
        let entityID = entity.isEmpty ? nil : try entityTable.lookup(entity, snap)
        let cells = try rows.cells(snap, entity: entity, entityID: entityID, query)
        try writer.write(record: row + cells.cells)
        summary.rows += 1
        summary.cells += features.count
        summary.noteMissingHistory(cells.missingHistory, features, entity, time)
        if summary.rows % 10_000 == 0 { options.progress?(Int(lseek(input, 0, SEEK_CUR)), total) }
      }
      return summary
    }
  }

  // MARK: - Shared

  /// Runs an export in one read snapshot into an all-or-nothing output.
  private func exporting(
    to path: String?, _ options: ExportOptions,
    _ body: (borrowing Snapshot, inout CSVWriter, [Feature]) throws -> ExportSummary
  ) throws -> ExportSummary {
    let output = try OutputFile(path)
    do {
      var writer = CSVWriter(fd: output.fd)
      let summary = try read { snap in
        try body(snap, &writer, try exportedFeatures(snap, options))
      }
      if summary.missingHistoryCells > 0, !options.allowMissingHistory {
        throw FeatureDBError.exportNeedsRemovedHistory(
          cells: summary.missingHistoryCells, first: summary.firstMissingHistory)
      }
      try writer.flush()
      try output.commit()
      return summary
    } catch {
      output.discard()
      throw error
    }
  }

  /// The features of an export, after checking every page of the snapshot (a damaged one fails
  /// the export rather than shortening it); throws for none, an unknown one or one listed twice.
  func exportedFeatures(_ snap: borrowing Snapshot, _ options: ExportOptions) throws -> [Feature] {
    guard !options.features.isEmpty else {
      throw FeatureDBError.invalidArgument("no features to export")
    }
    try requireSoundPages(snap)
    let features = try options.features.map { try snap.catalog.feature($0) }
    if let duplicate = Dictionary(grouping: options.features, by: { $0 }).first(where: {
      $0.value.count > 1
    })?.key {
      throw FeatureDBError.invalidArgument("feature '\(duplicate)' is listed twice")
    }
    return features
  }

  /// Column names of the features: the name, or NAME_0 … for embeddings as columns.
  func header(_ features: [Feature], _ format: EmbeddingCSVFormat) -> [String] {
    features.flatMap { f -> [String] in
      if case .embedding(let dims) = f.type, format == .columns {
        return (0..<dims).map { "\(f.name)_\($0)" }
      }
      return [f.name]
    }
  }

  /// Reads the header row: its names, and the index of each required column.
  func readHeader(_ reader: inout CSVReader, _ name: String, required: [String?]) throws -> (
    [String], Int?, Int?
  ) {
    guard let header = try csv({ () throws(CSVError) in try reader.next() }) else {
      throw FeatureDBError.badCSV(
        CSVError(
          file: name, line: 1, column: nil, message: "the file is empty; a header row is needed"))
    }
    var seen: Set<String> = []
    for (i, column) in header.enumerated() where !seen.insert(column).inserted {
      throw FeatureDBError.badCSV(
        CSVError(file: name, line: 1, column: i + 1, message: "column '\(column)' appears twice"))
    }
    let indices = try required.map { column -> Int? in
      guard let column else { return nil }
      guard let i = header.firstIndex(of: column) else {
        throw FeatureDBError.badCSV(
          CSVError(
            file: name, line: 1, column: nil,
            message: "no column '\(column)' (columns: \(header.joined(separator: ", ")))"))
      }
      return i
    }
    return (header, indices[0], indices.count > 1 ? indices[1] : nil)
  }

  /// Runs a CSV read, turning its errors into ``FeatureDBError/badCSV(_:)``.
  func csv<R>(_ body: () throws(CSVError) -> R) throws -> R {
    do { return try body() } catch { throw FeatureDBError.badCSV(error) }
  }
}

/// Reads the cells of export rows: one chain walker, features in id order.
struct ExportRowReader: ~Copyable {
  let features: [Feature]
  let options: ExportOptions
  /// Feature indices in id order (adjacent chains).
  private let order: [Int]
  private var walker: ChainWalker

  init(_ snap: borrowing Snapshot, _ features: [Feature], _ options: ExportOptions) throws {
    self.features = features
    self.options = options
    order = features.indices.sorted { features[$0].id < features[$1].id }
    walker = try ChainWalker(snap.store, snap)
  }

  /// The values of one row in feature order, whether the entity has any of the features, and
  /// the cells whose answer needs history that pruning or vacuum removed (their value is nil),
  /// with the error a read of them throws.
  mutating func values(
    _ snap: borrowing Snapshot, entity: String, entityID: UInt64?, _ query: Snapshot.Query
  ) throws
    -> (values: [FeatureValue?], present: Bool, missing: [(index: Int, error: FeatureDBError)])
  {
    var values = [FeatureValue?](repeating: nil, count: features.count)
    var present = false
    var missing: [(index: Int, error: FeatureDBError)] = []
    if let entityID {
      for i in order {
        let f = features[i]
        do {
          values[i] = try snap.corruptionNamed(f, entity) {
            try walker.withChain(entity: entityID, feature: f.id) { record in
              guard let record else { return nil }
              let chain = try ChainRecord.Reader(record, format: f.format, epoch: snap.store.epoch)
              return try snap.select(chain, f, entity, entityID, query) { hit in
                if hit != nil {
                  present = true
                } else if !present {
                  present = try snap.hasVersion(
                    chain, f, entityID: entityID, writtenBy: query.writeTime)
                }
                return try hit.flatMap { try snap.value(of: $0) }
              }
            }
          }
        } catch let error as FeatureDBError {
          switch error {
          case .historyPruned, .historyVacuumed:
            // Removed history that a read at W would need was written by W.
            present = true
            missing.append((i, error))
          default: throw error
          }
        }
      }
    }
    return (values, present, missing.sorted { $0.index < $1.index })
  }

  /// The cells of one row, whether the entity has any of the features, and the cells that lack
  /// removed history.
  mutating func cells(
    _ snap: borrowing Snapshot, entity: String, entityID: UInt64?, _ query: Snapshot.Query
  ) throws
    -> (cells: [String], present: Bool, missingHistory: [(index: Int, error: FeatureDBError)])
  {
    let (values, present, missing) = try values(snap, entity: entity, entityID: entityID, query)
    var cells: [String] = []
    cells.reserveCapacity(features.count)
    for (f, value) in zip(features, values) {
      if case .embedding(let dims) = f.type, options.embeddingFormat == .columns {
        if let v = value?.embedding {
          cells += v.map { String($0) }
        } else {
          cells += repeatElement("", count: dims)
        }
      } else {
        cells.append(value.map(CSVValue.format) ?? "")
      }
    }
    return (cells, present, missing)
  }
}

extension Snapshot {
  /// Whether a chain held anything at write time `w` (nil: now): a version written at or before
  /// it, retracted or not, or removed history written by then (or of unknown write time). A
  /// snapshot export lists an entity when one of its chains did, so an entity first written
  /// after W does not appear in an export as of W made later; a partitioned export as of W
  /// holds exactly these versions and ranges.
  func hasVersion(
    _ head: ChainRecord.Reader, _ feature: Feature, entityID: UInt64, writtenBy w: Int64?
  ) throws -> Bool {
    guard let w else { return true }
    for range in [head.header.pruned, head.header.vacuumed] {
      if let r = range, r.written(by: w) { return true }
    }
    var found = false
    try forEachRecord(head: head, feature, entityID: entityID) { reader in
      var entries = reader
      while !found, let e = try entries.next() {
        found = e.writeTime <= w
      }
      return !found
    }
    return found
  }
}

extension ExportSummary {
  /// Counts the cells of a row that lack removed history and keeps the first few.
  mutating func noteMissingHistory(
    _ missing: [(index: Int, error: FeatureDBError)], _ features: [Feature], _ entity: String,
    _ eventTime: Timestamp
  ) {
    missingHistoryCells += missing.count
    for (i, error) in missing where firstMissingHistory.count < MissingHistoryCell.kept {
      let removedBy: MissingHistoryCell.RemovedBy =
        if case .historyVacuumed = error { .vacuum } else { .pruning }
      firstMissingHistory.append(
        MissingHistoryCell(
          feature: features[i].name, entity: entity, eventTime: eventTime, removedBy: removedBy))
    }
  }
}

extension Timestamp {
  /// A CSV time: ISO-8601 with `Z` or an offset, or without one (taken as UTC, as pandas writes
  /// naive timestamps).
  init?(csv text: String) {
    if let t = Timestamp(iso8601: text) {
      self = t
    } else if let t = Timestamp(iso8601: text + "Z") {
      self = t
    } else {
      return nil
    }
  }
}
