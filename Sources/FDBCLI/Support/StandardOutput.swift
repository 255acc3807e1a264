// The C library's `stdout` stream, which `print` writes through, is a global variable that
// Swift 6 treats as shared mutable state; it is touched here only on the main thread, once a
// command has run.
@preconcurrency import Foundation

extension Terminal {
  /// Writes `bytes` to stdout through its buffer, as `print` does.
  ///
  /// - Throws: ``CLIError`` (exit 1) when stdout cannot take them (a full disk, `/dev/full`).
  static func writeOut(_ bytes: Data) throws(CLIError) {
    guard !bytes.isEmpty else { return }
    let written = bytes.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, stdout) }
    guard written == bytes.count else { throw outputFailed(errno) }
  }

  /// Flushes stdout after a command ran: anything it printed that could not be written (a full
  /// disk, `/dev/full`, a closed descriptor) fails the command, which otherwise would exit 0
  /// with its output lost.
  ///
  /// - Throws: ``CLIError`` (exit 1) naming the system's reason.
  static func finishOutput() throws(CLIError) {
    let flushed = fflush(stdout) == 0
    let code = errno
    guard flushed, ferror(stdout) == 0 else { throw outputFailed(flushed ? EIO : code) }
  }

  private static func outputFailed(_ code: Int32) -> CLIError {
    .failure("cannot write the output: \(String(cString: strerror(code)))")
  }
}
