import CZstd
import Synchronization

/// A trained zstd dictionary, digested once for compression and decompression; shared read-only
/// by every thread (zstd allows that for `ZSTD_CDict` and `ZSTD_DDict`).
final class ZstdDictionary: @unchecked Sendable {
  /// FeatureDB's number for the dictionary (the key in the `dicts` table).
  let id: UInt64
  let compression: OpaquePointer
  let decompression: OpaquePointer

  init(id: UInt64, bytes: [UInt8], level: Int32) throws(DecodeError) {
    guard let c = bytes.withUnsafeBytes({ ZSTD_createCDict($0.baseAddress, $0.count, level) }),
      let d = bytes.withUnsafeBytes({ ZSTD_createDDict($0.baseAddress, $0.count) })
    else { throw DecodeError("zstd dictionary \(id) cannot be loaded") }
    self.id = id
    compression = c
    decompression = d
  }

  deinit {
    ZSTD_freeCDict(compression)
    ZSTD_freeDDict(decompression)
  }
}

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

  /// One frame of `input` (content size recorded, no checksum, no dictionary id: records name
  /// their dictionary themselves), or nil when it would not save bytes.
  func compressIfSmaller(_ input: [UInt8], dictionary: ZstdDictionary? = nil) -> [UInt8]? {
    let bound = ZSTD_compressBound(input.count)
    guard ZSTD_isError(bound) == 0 else { return nil }
    let ctx = compressors.withLock { $0.popLast() } ?? Context(pointer: ZSTD_createCCtx()!)
    defer { compressors.withLock { $0.append(ctx) } }
    // Parameters are sticky: set every one this call depends on.
    ZSTD_CCtx_reset(ctx.pointer, ZSTD_reset_session_and_parameters)
    ZSTD_CCtx_setParameter(ctx.pointer, ZSTD_c_compressionLevel, level)
    ZSTD_CCtx_setParameter(ctx.pointer, ZSTD_c_dictIDFlag, 0)
    if let dictionary { ZSTD_CCtx_refCDict(ctx.pointer, dictionary.compression) }
    var out = [UInt8](repeating: 0, count: bound)
    let n = out.withUnsafeMutableBytes { o in
      input.withUnsafeBytes { i in
        ZSTD_compress2(ctx.pointer, o.baseAddress, bound, i.baseAddress, i.count)
      }
    }
    guard ZSTD_isError(n) == 0, n < input.count else { return nil }
    out.removeLast(bound - n)
    return out
  }

  /// Decompresses one frame whose content size is recorded, refusing sizes above `limit`.
  func decompress(_ frame: UnsafeRawBufferPointer, limit: Int, dictionary: ZstdDictionary? = nil)
    throws(DecodeError)
    -> [UInt8]
  {
    let size = ZSTD_getFrameContentSize(frame.baseAddress, frame.count)
    guard size != ZSTD_CONTENTSIZE_ERROR, size != ZSTD_CONTENTSIZE_UNKNOWN else {
      throw DecodeError("not a zstd frame with a known size")
    }
    guard size <= UInt64(limit) else {
      throw DecodeError("zstd frame claims \(size) bytes, limit \(limit)")
    }
    let ctx = decompressors.withLock { $0.popLast() } ?? Context(pointer: ZSTD_createDCtx()!)
    defer { decompressors.withLock { $0.append(ctx) } }
    var out = [UInt8](repeating: 0, count: Int(size))
    let n = out.withUnsafeMutableBytes { o in
      if let dictionary {
        ZSTD_decompress_usingDDict(
          ctx.pointer, o.baseAddress, o.count, frame.baseAddress, frame.count,
          dictionary.decompression)
      } else {
        ZSTD_decompressDCtx(ctx.pointer, o.baseAddress, o.count, frame.baseAddress, frame.count)
      }
    }
    guard ZSTD_isError(n) == 0 else {
      throw DecodeError("zstd: \(String(cString: ZSTD_getErrorName(n)))")
    }
    guard n == Int(size) else {
      throw DecodeError("zstd frame decoded to \(n) bytes, expected \(size)")
    }
    return out
  }

  /// Trains a dictionary of at most `capacity` bytes from `samples`; nil when zstd cannot
  /// (too few or too small samples).
  static func trainDictionary(samples: [[UInt8]], capacity: Int) -> [UInt8]? {
    let flat = samples.flatMap { $0 }
    let sizes = samples.map { $0.count }
    var dict = [UInt8](repeating: 0, count: capacity)
    let n = dict.withUnsafeMutableBytes { d in
      flat.withUnsafeBytes { f in
        sizes.withUnsafeBufferPointer { s in
          ZDICT_trainFromBuffer(
            d.baseAddress, capacity, f.baseAddress, s.baseAddress, UInt32(samples.count))
        }
      }
    }
    guard ZDICT_isError(n) == 0 else { return nil }
    dict.removeLast(capacity - n)
    return dict
  }
}
