import CZstd
import Synchronization

/// zstd compression with reusable contexts: a context is taken from a pool for one call and put
/// back, so no context is ever used by two threads at once.
final class Zstd: Sendable {
  let level: Int32
  /// A zstd context pointer; owned by the pool, lent to one call at a time.
  private struct Context: @unchecked Sendable {
    let pointer: OpaquePointer
  }
  private let compressors = Mutex<[Context]>([])
  private let decompressors = Mutex<[Context]>([])

  init(level: Int32 = 1) { self.level = level }

  deinit {
    compressors.withLock { for c in $0 { ZSTD_freeCCtx(c.pointer) } }
    decompressors.withLock { for d in $0 { ZSTD_freeDCtx(d.pointer) } }
  }

  /// The compressed frame, or nil when compression would not save bytes.
  func compressIfSmaller(_ input: [UInt8]) -> [UInt8]? {
    let bound = ZSTD_compressBound(input.count)
    guard ZSTD_isError(bound) == 0 else { return nil }
    let ctx = compressors.withLock { $0.popLast() } ?? Context(pointer: ZSTD_createCCtx()!)
    defer { compressors.withLock { $0.append(ctx) } }
    var out = [UInt8](repeating: 0, count: bound)
    let n = out.withUnsafeMutableBytes { o in
      input.withUnsafeBytes { i in ZSTD_compressCCtx(ctx.pointer, o.baseAddress, bound, i.baseAddress, i.count, level) }
    }
    guard ZSTD_isError(n) == 0, n < input.count else { return nil }
    out.removeLast(bound - n)
    return out
  }

  /// Decompresses one frame whose content size is recorded, refusing sizes above `limit`.
  func decompress(_ frame: UnsafeRawBufferPointer, limit: Int) throws(DecodeError) -> [UInt8] {
    let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
    guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN else {
      throw DecodeError("not a zstd frame with a known size")
    }
    guard size <= UInt64(limit) else { throw DecodeError("zstd frame claims \(size) bytes, limit \(limit)") }
    let ctx = decompressors.withLock { $0.popLast() } ?? Context(pointer: ZSTD_createDCtx()!)
    defer { decompressors.withLock { $0.append(ctx) } }
    var out = [UInt8](repeating: 0, count: Int(size))
    let n = out.withUnsafeMutableBytes { o in
      ZSTD_decompressDCtx(ctx.pointer, o.baseAddress, o.count, frame.baseAddress, frame.count)
    }
    guard ZSTD_isError(n) == 0 else {
      throw DecodeError("zstd: \(String(cString: ZSTD_getErrorName(n)))")
    }
    guard n == Int(size) else { throw DecodeError("zstd frame decoded to \(n) bytes, expected \(size)") }
    return out
  }
}
