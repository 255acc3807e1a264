// Fuzz target `chain_record`: the version-chain reader over arbitrary bytes, for every value
// format, with the inline values and lineage extras it finds, and the write path's decoding of
// an old chain (`ChainUpdate`) on whatever the reader accepts.
//
// Input: format selector, dims, control byte (bits 0–1 epoch, bit 2 keep the stored checksum
// instead of fixing it, bits 3–5 maxVersions), two bytes of event-time offset, then the record.
// The checksum is fixed up unless bit 2 asks otherwise, so mutations reach the decoder.
//
// Properties: the reader accepts no record whose checksum is wrong; entries tile the record;
// the write path's outline of each entry (version, flags, times, extent) is the entry's;
// decoded inline values and lineage extras re-encode to what decodes the same; a chain the reader
// accepts (unless it holds a version number or removed count of 2⁶³ or more), updated with one
// more version and pruned, is read back with every kept entry's bytes unchanged and the version
// numbers going on where they left off.

@testable import FeatureDB

private let epochs: [Int64] = [
  0, 1_767_225_600_000_000, Timestamp.min.microseconds, Timestamp.max.microseconds,
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  var input = FuzzInput(data, size)
  let format = valueFormat(input.byte(), dims: 1 + Int(input.byte() % 16))
  let control = input.byte()
  let epoch = epochs[Int(control & 3)]
  let keepChecksum = control & 4 != 0
  let maxVersions = Int(control >> 3 & 7)
  let eventOffset = (Int64(input.uint16()) - 32768) * 1_000_000
  var record = Array(input.rest)
  if !keepChecksum, record.count >= 5 {
    let crc = record.withUnsafeBytes { CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[5...])) }
    record.withUnsafeMutableBytes {
      $0.storeBytes(of: crc.littleEndian, toByteOffset: 1, as: UInt32.self)
    }
  }
  record.withUnsafeBytes { buffer in
    guard var reader = try? ChainRecord.Reader(buffer, format: format, epoch: epoch) else { return }
    let stored = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 1, as: UInt32.self))
    check(
      stored == CRC32C.checksum(UnsafeRawBufferPointer(rebasing: buffer[5...])),
      "a record with a wrong checksum was read")
    // The write path's outline reader walks beside it and must agree entry for entry.
    var outlines = reader
    var entries: [ChainRecord.Entry] = []
    while true {
      let next: ChainRecord.Entry?
      do { next = try reader.next() } catch {
        check((try? outlines.nextOutline()) == nil, "an outline read where the entry fails")
        return
      }
      let outline = try? outlines.nextOutline()
      check(
        outline == next?.outline,
        "outline \(String(describing: outline)) of entry \(String(describing: next))")
      guard let entry = next else { break }
      checkEntry(entry, after: entries.last, reader, format)
      entries.append(entry)
    }
    check(
      entries.last.map { $0.range.upperBound == buffer.count } ?? true,
      "the last entry does not end the record")
    checkUpdate(
      buffer, reader.header, entries, format: format, epoch: epoch, maxVersions: maxVersions,
      eventOffset: eventOffset)
  }
  return 0
}

/// One entry: where it lies, and its extra and inline value decode to what re-encodes the same.
private func checkEntry(
  _ entry: ChainRecord.Entry, after previous: ChainRecord.Entry?, _ reader: ChainRecord.Reader,
  _ format: ValueFormat
) {
  let buffer = reader.buffer
  check(
    !entry.range.isEmpty && entry.range.upperBound <= buffer.count,
    "entry range \(entry.range) outside \(buffer.count) bytes")
  if let previous {
    check(
      entry.range.lowerBound == previous.range.upperBound,
      "entry at \(entry.range) does not follow \(previous.range)")
  }
  check(
    entry.valueOffset >= entry.range.lowerBound && entry.valueOffset <= entry.range.upperBound,
    "value offset outside its entry")
  if let extra = entry.extra {
    check(
      extra.lowerBound >= entry.range.lowerBound && extra.upperBound <= entry.valueOffset,
      "extra \(extra) outside its entry")
    if let lineage = try? LineageExtra.decode(UnsafeRawBufferPointer(rebasing: buffer[extra])) {
      let again = lineage.encoded().withUnsafeBytes { try? LineageExtra.decode($0) }
      check(again == lineage, "lineage extra \(lineage) re-encodes as \(String(describing: again))")
    }
  }
  guard entry.kind == .inline, let value = try? reader.inlineValue(entry) else { return }
  if case .embedding(let dims) = format.type {
    check(value.embedding?.count == dims, "an inline embedding of \(dims) dims decodes to \(value)")
    // int8 quantizes again when encoding, so only the float encodings come back the same.
    guard format.encoding != .int8 else { return }
  }
  guard let canonical = try? ValueCodec.canonical(value, format) else { return }
  var w = ByteWriter()
  if ValueCodec.isFixed(format.type) { w.append(canonical) } else { w.lengthPrefixed(canonical) }
  let again = w.bytes.withUnsafeBytes { bytes -> FeatureValue? in
    var r = ByteReader(bytes)
    return try? ValueCodec.readInline(format, &r)
  }
  check(
    again.map { sameValue($0, value) } ?? false,
    "inline \(format.type) value \(value) re-encodes as \(String(describing: again))")
}

/// The write path on an accepted record: one new version, pruning, and the record read back.
private func checkUpdate(
  _ old: UnsafeRawBufferPointer, _ header: ChainRecord.Header, _ entries: [ChainRecord.Entry],
  format: ValueFormat, epoch: Int64, maxVersions: Int, eventOffset: Int64
) {
  var update = ChainUpdate()
  do { try update.reset(old: old, format: format, epoch: epoch) } catch {
    // Only numbers no store reaches, which would overflow as versions are added.
    let numbers =
      entries.map(\.version)
      + [
        header.nextVersion, header.pruned?.count, header.vacuumed?.count,
        header.segments?.maxVersion, header.segments?.entries,
      ].map { $0 ?? 0 }
    check(
      numbers.contains { $0 >= 1 << 63 },
      "ChainUpdate refuses a record the reader accepts: \(error)")
    return
  }
  let writeTime = min(epoch + 1_000_000, Timestamp.max.microseconds)
  let eventTime = min(
    max(writeTime + eventOffset, Timestamp.min.microseconds), Timestamp.max.microseconds)
  var arena = ByteWriter()
  ChainRecord.writeEntryTail(
    kind: .tombstone, writeTime: writeTime, eventTime: eventTime, lineage: EncodedLineage(),
    sourceLine: 0,
    epoch: epoch, to: &arena)
  let version = update.add(
    eventTime: eventTime, writeTime: writeTime, isExternal: false, tail: 0..<arena.bytes.count)
  let highest = entries.map(\.version).max() ?? 0
  check(
    version == max(header.nextVersion ?? 0, highest + 1, (header.segments?.maxVersion ?? 0) + 1),
    "new version \(version) after \(highest), header \(header)")
  // A head with segments changes its segments too (a store is needed): the check ends here.
  guard header.segments == nil else { return }
  let pruned = update.prune(maxVersions: maxVersions)
  var out = ByteWriter()
  update.encode(old: old, arena: arena.bytes, into: &out)

  var newEntry = ByteWriter()
  newEntry.varint(version)
  newEntry.append(arena.bytes)
  let prunedRanges = Set(pruned.filter { !$0.isNew }.map(\.bytes))
  var expected = entries.filter { !prunedRanges.contains($0.range) }.map { Array(old[$0.range]) }
  if !pruned.contains(where: \.isNew) { expected.append(newEntry.bytes) }

  out.bytes.withUnsafeBytes { record in
    var reader: ChainRecord.Reader
    var written: [ChainRecord.Entry]
    do {
      reader = try ChainRecord.Reader(record, format: format, epoch: epoch)
      written = try reader.all()
    } catch {
      check(false, "the updated chain does not read back: \(error)")
      return
    }
    let got = written.map { Array(record[$0.range]) }
    check(
      got.sorted { $0.lexicographicallyPrecedes($1) }
        == expected.sorted { $0.lexicographicallyPrecedes($1) },
      "the updated chain holds other entries than the old one plus the new version, less the pruned ones"
    )
    let next = reader.header.nextVersion ?? ((written.map(\.version).max() ?? 0) + 1)
    check(next == version + 1, "after version \(version) the next version is \(next)")
    check(reader.header.vacuumed == header.vacuumed, "the vacuumed range changed on update")
  }
}
