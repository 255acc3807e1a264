import Foundation
import Testing

/// `pipe2(fds, O_CLOEXEC)`: both ends close-on-exec from the start, with no window in which a
/// process spawned by another thread could inherit them (Glibc's Swift module hides `pipe2`).
private func closeOnExecPipe(_ fds: inout [Int32]) -> Bool {
  typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
  nonisolated(unsafe) let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2")  // RTLD_DEFAULT
  guard let symbol else { return false }
  return unsafeBitCast(symbol, to: Pipe2.self)(&fds, O_CLOEXEC) == 0
}

/// A child process started with `posix_spawn`, its stdout a pipe read line by line, its stderr a
/// file, its stdin a pipe this side keeps open (closing it tells `hold-read` children to stop).
///
/// The process is always reaped: `wait()` reaps it, and `deinit` kills (SIGKILL) and reaps one
/// that is still running, so a failing test leaves no child and no zombie behind. Every pipe is
/// created close-on-exec, so children of other tests running in parallel never inherit them (an
/// inherited write end would keep this side from ever seeing end-of-file).
final class ChildProcess {
  let pid: pid_t
  private let stdoutFD: Int32
  private var stdinFD: Int32
  private let stderrPath: String
  private var buffer: [UInt8] = []
  private var atEOF = false
  private var status: Int32?
  /// Every line read so far.
  private(set) var lines: [String] = []

  /// Starts `executable` with `arguments`; its stderr goes to `stderrPath`.
  init(_ executable: String, _ arguments: [String], stderrPath: String) throws {
    var out: [Int32] = [0, 0]
    var inp: [Int32] = [0, 0]
    guard closeOnExecPipe(&out) else { throw POSIXError(.init(rawValue: errno)!) }
    guard closeOnExecPipe(&inp) else {
      close(out[0])
      close(out[1])
      throw POSIXError(.init(rawValue: errno)!)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inp[0], 0)  // dup2 clears close-on-exec
    posix_spawn_file_actions_adddup2(&actions, out[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // A clean signal state: default SIGPIPE, nothing blocked, whatever the test runner set.
    var attr = posix_spawnattr_t()
    posix_spawnattr_init(&attr)
    defer { posix_spawnattr_destroy(&attr) }
    var none = sigset_t()
    sigemptyset(&none)
    var defaults = sigset_t()
    sigemptyset(&defaults)
    sigaddset(&defaults, SIGPIPE)
    posix_spawnattr_setsigmask(&attr, &none)
    posix_spawnattr_setsigdefault(&attr, &defaults)
    posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let code = posix_spawn(&pid, executable, &actions, &attr, argv, environ)
    close(out[1])
    close(inp[0])
    guard code == 0 else {
      close(out[0])
      close(inp[1])
      throw POSIXError(.init(rawValue: code)!)
    }
    self.pid = pid
    self.stdoutFD = out[0]
    self.stdinFD = inp[1]
    self.stderrPath = stderrPath
  }

  deinit {
    if status == nil {
      Glibc.kill(pid, SIGKILL)
      wait()
    }
    close(stdoutFD)
    if stdinFD >= 0 { close(stdinFD) }
  }

  /// The next line of stdout, blocking until it arrives; nil at end of file (the process exited
  /// or was killed, and nothing else holds the pipe).
  func readLine() -> String? {
    while true {
      if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
        let line = String(decoding: buffer[..<newline], as: UTF8.self)
        buffer.removeSubrange(...newline)
        lines.append(line)
        return line
      }
      if atEOF { return nil }
      var chunk = [UInt8](repeating: 0, count: 4096)
      let n = chunk.withUnsafeMutableBytes { read(stdoutFD, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n <= 0 {
        atEOF = true
        if !buffer.isEmpty {  // a last line without newline (a kill mid-write cannot cut one: lines are one write)
          buffer.append(UInt8(ascii: "\n"))
        }
        continue
      }
      buffer.append(contentsOf: chunk[..<n])
    }
  }

  /// Reads lines until one starts with `prefix`; nil if stdout ends first.
  func readLine(startingWith prefix: String) -> String? {
    while let line = readLine() {
      if line.hasPrefix(prefix) { return line }
    }
    return nil
  }

  /// Reads the rest of stdout (until the process has exited or been killed).
  @discardableResult
  func readToEnd() -> [String] {
    var rest: [String] = []
    while let line = readLine() { rest.append(line) }
    return rest
  }

  /// Sends `signal` (SIGKILL by default).
  func kill(_ signal: Int32 = SIGKILL) {
    if status == nil { Glibc.kill(pid, signal) }
  }

  /// Closes this side of the child's stdin.
  func closeStdin() {
    if stdinFD >= 0 { close(stdinFD) }
    stdinFD = -1
  }

  /// Reaps the process (blocking) and returns its raw wait status.
  @discardableResult
  func wait() -> Int32 {
    if let status { return status }
    var raw: Int32 = 0
    while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
    status = raw
    return raw
  }

  /// Exit code after a normal exit, nil when a signal ended it (reaps first).
  var exitCode: Int32? {
    let s = wait()
    return (s & 0x7f) == 0 ? (s >> 8) & 0xff : nil
  }

  /// The signal that ended it, nil after a normal exit (reaps first).
  var terminatingSignal: Int32? {
    let s = wait()
    return (s & 0x7f) != 0 && (s & 0x7f) != 0x7f ? s & 0x7f : nil
  }

  /// What the child wrote to stderr.
  var standardError: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }
}

/// `FDB_LONG=1` selects the long modes of the reliability tests.
var longMode: Bool {
  ProcessInfo.processInfo.environment["FDB_LONG"].map { $0 != "" && $0 != "0" } ?? false
}

/// An integer from the environment, or `fallback`.
func environmentInt(_ name: String, _ fallback: Int) -> Int {
  ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
}

/// Sleeps `milliseconds` (chooses a kill moment; never used to wait for another process).
func pause(milliseconds: Int) {
  var request = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
  var remaining = timespec()
  while nanosleep(&request, &remaining) != 0 && errno == EINTR { request = remaining }
}
