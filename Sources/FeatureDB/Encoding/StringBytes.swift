import Glibc

extension String {
  /// Whether the two strings hold the same UTF-8 bytes.
  ///
  /// `==` compares by Unicode canonical equivalence (it would take one id for another that
  /// differs in bytes), and `utf8.elementsEqual` walks both through the generic index path:
  /// about 800 instructions for a 36-byte event id, against a few dozen for one `memcmp`.
  func hasSameUTF8(as other: String) -> Bool {
    let a = utf8
    let b = other.utf8
    guard a.count == b.count else { return false }
    let same = a.withContiguousStorageIfAvailable { x in
      b.withContiguousStorageIfAvailable { y in
        x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0
      }
    }
    return (same ?? nil) ?? a.elementsEqual(b)
  }
}
