import Foundation
import Testing

/// Permission problems name the file and what to do (issue 13, item 7). As root, `fdb` runs as
/// `nobody` (setpriv) against root-owned files; as another user, the files are chmod-ed.
@Suite struct PermissionTests {
  let cli = CLI()

  /// Runs fdb as an unprivileged user: `nobody` via setpriv when we are root.
  func runUnprivileged(_ arguments: [String]) throws -> Outcome {
    if getuid() == 0 {
      // nobody cannot reach the build directory: use a copy of the binary.
      let binary = cli.dir.child("fdb-copy")
      if !FileManager.default.fileExists(atPath: binary) {
        try FileManager.default.copyItem(atPath: CLI.binary, toPath: binary)
      }
      chmod(cli.dir.path, 0o755)
      chmod(binary, 0o755)
      let running = try cli.start(
        ["--reuid=65534", "--regid=65534", "--clear-groups", binary] + arguments,
        executable: "/usr/bin/setpriv")
      return running.finish()
    }
    return try cli.run(arguments)
  }

  func makeStore() throws -> String {
    let store = cli.dir.child("s.fdb")
    #expect(try cli.run(["--db", store, "init"]).status == 0)
    #expect(try cli.run(["--db", store, "define", "n", "--type", "int"]).status == 0)
    #expect(try cli.run(["--db", store, "put", "n", "e", "1"]).status == 0)
    return store
  }

  @Test func aStoreDirectoryTheUserCannotReadIsPermissionDenied() throws {
    let store = try makeStore()
    chmod(store, getuid() == 0 ? 0o700 : 0o000)
    defer { chmod(store, 0o700) }
    let outcome = try runUnprivileged(["--db", store, "get", "n", "e"])
    #expect(outcome.status == 1)
    #expect(outcome.stderr.contains("permission denied"), "\(outcome)")
    #expect(!outcome.stderr.contains("no data.mdb"), "\(outcome)")
  }

  @Test func aReadOnlyLockFileIsNamed() throws {
    let store = try makeStore()
    chmod(store, 0o755)
    chmod(store + "/data.mdb", 0o644)
    chmod(store + "/lock.mdb", 0o444)
    defer {
      chmod(store, 0o700)
      chmod(store + "/lock.mdb", 0o600)
    }
    let outcome = try runUnprivileged(["--db", store, "get", "n", "e"])
    #expect(outcome.status == 1)
    #expect(outcome.stderr.contains("lock.mdb"), "\(outcome)")
    #expect(outcome.stderr.contains("write access"), "\(outcome)")
  }
}
