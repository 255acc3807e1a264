import Foundation
import Synchronization

/// Where ``LineLogHandler`` writes its lines: they gather in a buffer that goes to a file
/// descriptor with one `write(2)` when it holds `capacity` bytes, when a line at `notice` or
/// more severe arrives, on ``flush()``, and otherwise within `interval` of being logged (a
/// thread of the sink's own flushes it). A request line each costs no system call of its own
/// (at saturation one `write(2)` per line to a log file was about a tenth of a small read's
/// time); a process killed at once loses at most the last `interval` of `info` lines.
public final class LogSink: Sendable {
  /// The process's standard error, flushed every 100 ms.
  public static let standardError = LogSink(descriptor: STDERR_FILENO)

  private let descriptor: Int32
  private let capacity: Int
  /// Lines not written yet.
  private let pending = Mutex<[UInt8]>([])
  /// Held while writing, so buffers go out in order; it keeps the buffer written last, to be
  /// swapped with `pending` next time (neither is allocated again).
  private let writing = Mutex<[UInt8]>([])

  /// A sink writing to `descriptor`, flushed when `capacity` bytes wait and every `interval`.
  public init(descriptor: Int32, capacity: Int = 65_536, interval: Duration = .milliseconds(100)) {
    self.descriptor = descriptor
    self.capacity = capacity
    let (seconds, attoseconds) = interval.components
    let period = Double(seconds) + Double(attoseconds) / 1e18
    Thread.detachNewThread { [weak self] in
      while true {
        Thread.sleep(forTimeInterval: period)
        guard let sink = self else { return }
        sink.flush()
      }
    }
  }

  /// Adds a line; writes what waits when `urgent` or when the buffer is full.
  func append(_ line: [UInt8], urgent: Bool) {
    let full = pending.withLock { waiting in
      waiting.append(contentsOf: line)
      return waiting.count >= capacity
    }
    if full || urgent { flush() }
  }

  /// Writes every line added so far.
  public func flush() {
    writing.withLock { buffer in
      buffer.removeAll(keepingCapacity: true)
      pending.withLock { swap(&$0, &buffer) }
      buffer.withUnsafeBytes { bytes in
        var at = 0
        while at < bytes.count {
          let written = write(descriptor, bytes.baseAddress! + at, bytes.count - at)
          if written > 0 {
            at += written
          } else if written < 0 && errno == EINTR {
            continue
          } else {
            return  // lines that cannot be written are dropped, as swift-log's handlers do
          }
        }
      }
    }
  }
}
