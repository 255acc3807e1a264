import Foundation
import Synchronization

/// A one-line progress indicator with rate and ETA on stderr, shown only when stderr is a
/// terminal (and not `--quiet` or `--json`); otherwise it prints nothing.
///
/// ```swift
/// let progress = Progress("vacuum", total: expected, unit: .items("versions"), output: output)
/// for step in steps { progress.update(done) }
/// progress.finish()
/// ```
/// Safety of `@unchecked Sendable`: an instance is driven by one thread at a time (the command's,
/// or the library call it passed a progress callback to, which calls back synchronously).
final class Progress: @unchecked Sendable {
  enum Unit: Sendable {
    /// Counted things, named (`versions`).
    case items(String)
    case bytes
  }

  let label: String
  let total: Int?
  let unit: Unit
  let enabled: Bool
  private let start = ContinuousClock.now
  private var lastDraw: ContinuousClock.Instant?
  private var drawn = false
  /// Whether some progress line is on the terminal now: an error message clears it first.
  private static let lineShown = Atomic<Bool>(false)

  init(_ label: String, total: Int?, unit: Unit, enabled: Bool) {
    self.label = label
    self.total = total
    self.unit = unit
    self.enabled = enabled
  }

  /// Shown only when stderr is a terminal and the output is for people.
  convenience init(_ label: String, total: Int?, unit: Unit, output: Output) {
    self.init(
      label, total: total, unit: unit,
      enabled: Terminal.stderrIsTerminal && !output.quiet && !output.json)
  }

  /// Reports `done` units so far; redraws at most ten times a second.
  func update(_ done: Int) {
    guard enabled else { return }
    let now = ContinuousClock.now
    if let lastDraw, now - lastDraw < .milliseconds(100) { return }
    lastDraw = now
    let elapsed = Self.seconds(now - start)
    Terminal.writeError(
      "\r\u{1B}[K" + Self.line(label, done: done, total: total, elapsed: elapsed, unit: unit))
    drawn = true
    Self.lineShown.store(true, ordering: .releasing)
  }

  /// Clears the line.
  func finish() {
    guard enabled, drawn else { return }
    Terminal.writeError("\r\u{1B}[K")
    drawn = false
    Self.lineShown.store(false, ordering: .releasing)
  }

  /// Clears the progress line a failed command left on the terminal, so its error message
  /// starts a line of its own; returns whether there was one.
  @discardableResult
  static func clearShownLine() -> Bool {
    guard lineShown.exchange(false, ordering: .acquiringAndReleasing) else { return false }
    Terminal.writeError("\r\u{1B}[K")
    return true
  }

  /// The progress line: `vacuum  12000/50000 versions  24%  8.1k versions/s  ETA 5s`.
  static func line(_ label: String, done: Int, total: Int?, elapsed: Double, unit: Unit) -> String {
    let rate = elapsed > 0 ? Double(done) / elapsed : 0
    var parts = [label]
    switch unit {
    case .items(let name):
      parts.append(total.map { "\(done)/\(max($0, done)) \(name)" } ?? "\(done) \(name)")
      if let total, total > 0 { parts.append("\(min(100, done * 100 / total))%") }
      parts.append("\(compact(rate)) \(name)/s")
    case .bytes:
      parts.append(
        total.map { "\(Display.bytes(done)) / \(Display.bytes(max($0, done)))" }
          ?? Display.bytes(done))
      if let total, total > 0 { parts.append("\(min(100, done * 100 / total))%") }
      parts.append("\(Display.bytes(Int(rate)))/s")
    }
    if let total, rate > 0, done < total {
      parts.append("ETA " + duration(Double(total - done) / rate))
    }
    return parts.joined(separator: "  ")
  }

  /// `950`, `8.1k`, `2.3M`.
  static func compact(_ v: Double) -> String {
    if v < 1000 { return String(Int(v)) }
    if v < 1_000_000 { return "\((v / 100).rounded() / 10)k" }
    return "\((v / 100_000).rounded() / 10)M"
  }

  /// `42s`, `3m05s`, `2h07m`.
  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.up))
    if s < 60 { return "\(s)s" }
    if s < 3600 { return "\(s / 60)m" + String(format: "%02ds", s % 60) }
    return "\(s / 3600)h" + String(format: "%02dm", s / 60 % 60)
  }

  /// `d` in seconds.
  static func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
  }
}

extension Progress {
  /// Runs `body` while a background thread shows `measure()` (polled ten times a second) as
  /// progress: for operations that report nothing themselves, such as a copy whose output
  /// file grows.
  static func measuring<R>(
    _ label: String, total: Int?, unit: Unit, output: Output,
    measure: @escaping @Sendable () -> Int, during body: () throws -> R
  ) rethrows -> R {
    guard Terminal.stderrIsTerminal, !output.quiet, !output.json else { return try body() }
    let done = DispatchSemaphore(value: 0)
    let stop = StopFlag()
    let thread = Thread {
      let progress = Progress(label, total: total, unit: unit, enabled: true)
      while !stop.isSet {
        progress.update(measure())
        Thread.sleep(forTimeInterval: 0.05)
      }
      progress.finish()
      done.signal()
    }
    thread.start()
    defer {
      stop.set()
      done.wait()
    }
    return try body()
  }
}

/// A flag one thread sets and another polls.
private final class StopFlag: Sendable {
  private let value = Atomic<Bool>(false)
  var isSet: Bool { value.load(ordering: .acquiring) }
  func set() { value.store(true, ordering: .releasing) }
}
