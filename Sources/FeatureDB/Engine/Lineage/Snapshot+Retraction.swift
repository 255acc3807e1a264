extension Snapshot {
  /// Whether entry `e` is retracted as seen at write time `writeTime` (nil: now).
  ///
  /// The entry's retracted bit is its status now. A read at an earlier write time replays the
  /// operations in the entry's status list (retract, restore, retract …) that happened by then.
  func isRetracted(_ e: ChainRecord.Entry, _ reader: ChainRecord.Reader, at writeTime: Int64?)
    throws -> Bool
  {
    guard let w = writeTime, let range = e.extra else { return e.isRetracted }
    let extra = try LineageExtra.decode(UnsafeRawBufferPointer(rebasing: reader.buffer[range]))
    var retracted = false
    for op in extra.statusChanges {
      guard try operationTime(op) <= w else { break }
      retracted.toggle()
    }
    return retracted
  }

  /// When operation `id` committed (its write time).
  func operationTime(_ id: UInt64) throws -> Int64 {
    guard let op = try store.operation(id, self) else {
      throw DecodeError("status names operation \(id), which the operations log lacks")
    }
    return op.time.microseconds
  }
}
