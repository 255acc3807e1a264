// Fuzz target `csv`: the streaming CSV reader over arbitrary bytes, read through a file
// descriptor as the import command reads a file, in small and in full-size chunks.
//
// Input: chunk-size selector, then the CSV text.
//
// Properties: reading in chunks of a few bytes gives the same records (and the same error) as
// reading in 64 KiB chunks; records start on increasing lines and errors name a line and column
// from 1 on; records written back with `CSVWriter` read back as the same records.

@testable import FeatureDB

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

private let chunkSizes = [1, 2, 3, 5, 8, 64, 4096, 1 << 16]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
  var input = FuzzInput(data, size)
  let chunkSize = chunkSizes[Int(input.byte()) % chunkSizes.count]
  inputFile.replace(with: input.rest)
  let full = readAll(inputFile, chunkSize: 1 << 16)
  let chunked = readAll(inputFile, chunkSize: chunkSize)
  check(
    full == chunked,
    "reading in \(chunkSize)-byte chunks gives \(chunked), in 64 KiB chunks \(full)")
  switch full {
  case .failure(let error):
    check(error.line >= 1 && (error.column ?? 1) >= 1, "error without a valid place: \(error)")
  case .success(let records):
    for (a, b) in zip(records, records.dropFirst()) {
      check(a.line < b.line, "record on line \(b.line) follows one on line \(a.line)")
    }
    var writer = CSVWriter(fd: outputFile.emptied())
    do {
      for record in records { try writer.write(record: record.fields) }
      try writer.flush()
    } catch {
      check(false, "CSVWriter failed: \(error)")
    }
    let written = readAll(outputFile, chunkSize: 1 << 16).map { $0.map(\.fields) }
    check(
      written == .success(records.map(\.fields)),
      "records \(records.map(\.fields)) are written as CSV that reads as \(written)")
  }
  return 0
}

/// One record and the line it starts on.
private struct Record: Equatable {
  var fields: [String]
  var line: Int
}

/// Every record of `file`, or the first error.
private func readAll(_ file: TemporaryFile, chunkSize: Int) -> Result<[Record], CSVError> {
  var reader = CSVReader(fd: file.rewound(), name: "fuzz.csv", chunkSize: chunkSize)
  var records: [Record] = []
  do {
    while let fields = try reader.next() {
      records.append(Record(fields: fields, line: reader.line))
    }
  } catch {
    return .failure(error)
  }
  return .success(records)
}

/// A temporary file, unlinked at once, that each input rewrites.
private final class TemporaryFile: Sendable {
  let fd: Int32

  init() {
    let directory = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    var path = Array("\(directory)/featuredb-fuzz-csv-XXXXXX".utf8CString)
    fd = mkstemp(&path)
    check(fd >= 0, "cannot create a temporary file in \(directory)")
    unlink(path)
  }

  /// The descriptor, positioned at the start.
  func rewound() -> Int32 {
    lseek(fd, 0, SEEK_SET)
    return fd
  }

  /// The descriptor of the file made empty.
  func emptied() -> Int32 {
    check(ftruncate(fd, 0) == 0, "cannot truncate the temporary file")
    return rewound()
  }

  func replace(with bytes: UnsafeRawBufferPointer) {
    _ = emptied()
    var offset = 0
    while offset < bytes.count {
      let n = pwrite(fd, bytes.baseAddress! + offset, bytes.count - offset, off_t(offset))
      check(n > 0, "cannot write the temporary file")
      offset += n
    }
  }
}

private let inputFile = TemporaryFile()
private let outputFile = TemporaryFile()
