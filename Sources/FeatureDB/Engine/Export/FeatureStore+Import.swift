import Foundation

extension FeatureStore {
  /// Loads feature values from a CSV file with lineage (source `FILE:LINE`, the run id, the
  /// producer) in one transaction: all rows or none, unless `options.rejects` is set, in which
  /// case good rows load and each bad row is written there with its line number and reason.
  /// Empty cells write nothing, or a tombstone at the row's event time with
  /// `options.emptyCells = .null`. With `options.shard`, rows of other shards' entities are
  /// skipped and counted. Memory stays bounded by `options.batchRows`.
  ///
  /// - Throws: ``FeatureDBError/badCSV(_:)`` naming line and column of the first bad row.
  @discardableResult
  public func importCSV(_ path: String, options: ImportOptions) throws -> ImportSummary {
    let name = (path as NSString).lastPathComponent
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
      throw FeatureDBError.invalidArgument(
        "cannot read \(path): \(String(cString: strerror(errno)))")
    }
    defer { close(fd) }
    let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
    var summary = ImportSummary()
    summary.run = options.run ?? "import-\(Timestamp.now.iso8601)"
    let layout = try importLayout(fd: fd, name: name, options)
    let rejects = try options.rejects.map { try OutputFile($0) }
    do {
      var defined: [FeatureDefinition] = []
      // Missing features are defined in the import's own transaction: all or nothing.
      let loaded = try writing(
        "import",
        prelude: { txn in
          guard !layout.missing.isEmpty else { return false }
          defined = try self.define(layout.missing, txn)
          return true
        }
      ) { context, txn in
        let plan = try layout.plan(context.catalog, name: name)
        // Runs again from the start of the file if the map had to grow.
        guard lseek(fd, 0, SEEK_SET) == 0 else {
          throw FeatureDBError.invalidArgument("cannot re-read \(path)")
        }
        if let rejects {
          guard ftruncate(rejects.fd, 0) == 0, lseek(rejects.fd, 0, SEEK_SET) == 0 else {
            throw FeatureDBError.invalidArgument("cannot write the rejects file")
          }
        }
        var rejectWriter = rejects.map { CSVWriter(fd: $0.fd) }
        try rejectWriter?.write(record: ["line", "reason"] + plan.header)
        var reader = CSVReader(fd: fd, name: name)
        _ = try csv({ () throws(CSVError) in try reader.next() })
        var counts = ImportSummary()
        var batch = WriteBatch()
        while let row = try csv({ () throws(CSVError) in try reader.next() }) {
          do {
            if let shard = options.shard, row.count == plan.header.count,
              !shard.contains(row[plan.entityIndex])
            {
              counts.otherShardRows += 1
            } else {
              let ops = try plan.operations(
                row, line: reader.line, file: name, producer: options.producer, run: summary.run)
              batch.operations += ops
              counts.rows += 1
              counts.cells += ops.count
            }
          } catch let error as CSVError {
            guard var writer = rejectWriter else { throw FeatureDBError.badCSV(error) }
            try writer.write(record: [String(error.line), error.message] + row)
            rejectWriter = writer
            counts.rejected += 1
          }
          if batch.count >= options.batchRows {
            _ = try context.apply(batch, txn)
            batch.operations.removeAll(keepingCapacity: true)
          }
          if (counts.rows + counts.rejected + counts.otherShardRows) % 10_000 == 0 {
            options.progress?(Int(lseek(fd, 0, SEEK_CUR)), size)
          }
        }
        if batch.count > 0 {
          _ = try context.apply(batch, txn)
        }
        try rejectWriter?.flush()
        return counts
      }
      try rejects?.commit()
      summary.defined = defined
      summary.rows = loaded.rows
      summary.cells = loaded.cells
      summary.rejected = loaded.rejected
      summary.otherShardRows = loaded.otherShardRows
      // The import is its run: a run it recorded itself (implicitly) finishes with it.
      if let run = try run(summary.run), run.implicit, run.status == .running {
        try finishRun(summary.run, status: .succeeded)
      }
      return summary
    } catch {
      rejects?.discard()
      throw error
    }
  }

  /// Reads the header and the features it names; infers the types of missing ones when asked
  /// (a first pass over the values). Nothing is written.
  private func importLayout(fd: Int32, name: String, _ options: ImportOptions) throws
    -> ImportLayout
  {
    var reader = CSVReader(fd: fd, name: name)
    let (header, entityIndex, timeIndex) = try readHeader(
      &reader, name, required: [options.entityColumn, options.timestampColumn])
    let catalog = try readTransaction { try self.catalog($0) }
    let wanted =
      options.features
      ?? header.enumerated().compactMap { i, column in
        i == entityIndex || i == timeIndex ? nil : column
      }
    let undefined = wanted.filter { catalog.byName[$0] == nil }
    var missing: [FeatureDefinition] = []
    if !undefined.isEmpty {
      guard options.defineMissing else {
        throw FeatureDBError.badCSV(
          CSVError(
            file: name, line: 1, column: header.firstIndex(of: undefined[0]).map { $0 + 1 },
            message:
              "no feature '\(undefined[0])' is defined (define it, or import with --define-missing)"
          ))
      }
      for (feature, type) in try inferTypes(undefined, header: header, reader: &reader, file: name)
      {
        if let problem = FeatureDefinition.nameProblem(feature) {
          throw FeatureDBError.invalidFeatureName(feature, reason: problem + " (column of \(name))")
        }
        missing.append(FeatureDefinition(feature, type: type))
      }
    }
    return ImportLayout(
      header: header, entityIndex: entityIndex!, timeIndex: timeIndex, wanted: wanted,
      missing: missing, emptyCells: options.emptyCells)
  }

  /// The type of each column's values: int, double, bool, embedding (JSON arrays), else string.
  ///
  /// Only finite numbers count as numbers (`NaN`, `Inf` are names, not doubles), and a number
  /// written with a leading zero (`01234`, a zip code) keeps the column a string. A column with no
  /// values at all has no type to infer and is an error.
  private func inferTypes(
    _ columns: [String], header: [String], reader: inout CSVReader, file: String
  ) throws
    -> [(String, ValueType)]
  {
    var seen = columns.map { _ in false }
    var candidates = columns.map { _ in Set<String>(["int", "double", "bool", "embedding"]) }
    var dims = columns.map { _ in Int?.none }
    let indices = columns.map { header.firstIndex(of: $0)! }
    while let row = try csv({ () throws(CSVError) in try reader.next() }) {
      for (k, i) in indices.enumerated() where i < row.count && !row[i].isEmpty {
        let text = row[i]
        seen[k] = true
        let digits = text.hasPrefix("-") || text.hasPrefix("+") ? text.dropFirst() : Substring(text)
        let leadingZero =
          digits.count > 1 && digits.first == "0" && digits.dropFirst().first!.isNumber
        if Int64(text) == nil || leadingZero { candidates[k].remove("int") }
        if !(Double(text)?.isFinite ?? false) || leadingZero { candidates[k].remove("double") }
        if !["true", "false"].contains(text.lowercased()) { candidates[k].remove("bool") }
        if let v = CSVValue.floatArray(text), !v.isEmpty, dims[k] == nil || dims[k] == v.count {
          dims[k] = v.count
        } else {
          candidates[k].remove("embedding")
        }
      }
    }
    if let empty = seen.firstIndex(of: false) {
      throw FeatureDBError.badCSV(
        CSVError(
          file: file, line: 1, column: header.firstIndex(of: columns[empty]).map { $0 + 1 },
          message:
            "column '\(columns[empty])' has no values to infer a type from; define the feature first"
        ))
    }
    return zip(columns, zip(candidates, dims)).map { column, c in
      let (set, d) = c
      if set.contains("int") { return (column, .int) }
      if set.contains("double") { return (column, .double) }
      if set.contains("bool") { return (column, .bool) }
      if set.contains("embedding"), let d { return (column, .embedding(dims: d)) }
      return (column, .string)
    }
  }
}

/// The header of an import file and the features it names (before any transaction).
struct ImportLayout {
  let header: [String]
  let entityIndex: Int
  let timeIndex: Int?
  /// The features to import, in column order.
  let wanted: [String]
  /// Features to define first, with their inferred types.
  let missing: [FeatureDefinition]
  let emptyCells: EmptyCells

  /// The plan against `catalog` (which holds every wanted feature by now).
  func plan(_ catalog: Catalog, name: String) throws -> ImportPlan {
    // Columns of embeddings written as NAME_0 … NAME_{d-1}.
    func componentColumns(_ feature: String, _ dims: Int) -> [Int]? {
      let indices = (0..<dims).map { header.firstIndex(of: "\(feature)_\($0)") }
      return indices.allSatisfy { $0 != nil } ? indices.map { $0! } : nil
    }
    var targets: [ImportPlan.Target] = []
    for feature in wanted {
      let f = try catalog.feature(feature)
      if let column = header.firstIndex(of: feature) {
        targets.append(.init(feature: f, columns: [column]))
      } else if case .embedding(let dims) = f.type, let columns = componentColumns(feature, dims) {
        targets.append(.init(feature: f, columns: columns))
      } else {
        throw FeatureDBError.badCSV(
          CSVError(file: name, line: 1, column: nil, message: "no column for feature '\(feature)'"))
      }
    }
    return ImportPlan(
      header: header, entityIndex: entityIndex, timeIndex: timeIndex, targets: targets,
      emptyCells: emptyCells)
  }
}

/// Which columns feed which features, and how one row becomes writes.
struct ImportPlan {
  struct Target {
    let feature: Feature
    /// One column, or the component columns of an embedding.
    let columns: [Int]
  }

  let header: [String]
  let entityIndex: Int
  let timeIndex: Int?
  let targets: [Target]
  let emptyCells: EmptyCells

  /// The writes of one row; throws a `CSVError` naming the line and column of a bad cell.
  func operations(_ row: [String], line: Int, file: String, producer: String, run: String) throws
    -> [WriteBatch.Operation]
  {
    func fail(_ column: Int?, _ message: String) -> CSVError {
      CSVError(file: file, line: line, column: column.map { $0 + 1 }, message: message)
    }
    guard row.count == header.count else {
      throw fail(nil, "\(row.count) fields, the header has \(header.count)")
    }
    let entity = row[entityIndex]
    do { try validateEntity(entity) } catch let error as FeatureDBError {
      throw fail(entityIndex, error.description)
    }
    var eventTime: Timestamp?
    if let t = timeIndex {
      guard let time = Timestamp(csv: row[t]), time.isValid else {
        throw fail(t, "'\(row[t])' is not an ISO-8601 time")
      }
      eventTime = time
    }
    let lineage = Lineage(producer: producer, run: run, source: file)
    var ops: [WriteBatch.Operation] = []
    // The source is the file; each version keeps the row's line. A nil value is a tombstone
    // (an empty cell with ``EmptyCells/null``).
    func write(_ f: Feature, _ value: FeatureValue?) -> WriteBatch.Operation {
      WriteBatch.Operation(
        feature: f.name, entity: entity, value: value, eventTime: eventTime, lineage: lineage,
        sourceLine: UInt64(line))
    }
    for target in targets {
      let f = target.feature
      let value: FeatureValue
      if target.columns.count == 1 {
        let text = row[target.columns[0]]
        if text.isEmpty {
          if emptyCells == .null { ops.append(write(f, nil)) }
          continue
        }
        do { value = try CSVValue.parse(text, as: f.type) } catch {
          throw fail(target.columns[0], "feature '\(f.name)': \(error.reason)")
        }
      } else {
        let texts = target.columns.map { row[$0] }
        if texts.allSatisfy(\.isEmpty) {
          if emptyCells == .null { ops.append(write(f, nil)) }
          continue
        }
        var components: [Float] = []
        for (text, column) in zip(texts, target.columns) {
          guard let x = Float(text) else {
            throw fail(column, "feature '\(f.name)': '\(text)' is not a number")
          }
          components.append(x)
        }
        value = .embedding(components)
      }
      do {
        let checked = try WriteContext.checked(value, f, entity)
        if case .embedding = checked { _ = try ValueCodec.canonical(checked, f.format) }
      } catch let error as FeatureDBError {
        throw fail(target.columns[0], error.description)
      } catch let error as EmbeddingCodec.RangeError {
        throw fail(
          target.columns[0],
          "feature '\(f.name)': component \(error.component) is \(error.value), outside \(error.limit)"
        )
      }
      ops.append(write(f, value))
    }
    return ops
  }
}
