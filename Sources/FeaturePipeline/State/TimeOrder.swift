/// Index after the last of `count` items in time order (`time(i)` of item i) whose time is
/// ≤ `t`: a binary search, shared by the event window and the statistical extractor's values.
func endIndex(count: Int, atOrBefore t: Int64, time: (Int) -> Int64) -> Int {
  var lo = 0
  var hi = count
  while lo < hi {
    let mid = (lo + hi) / 2
    if time(mid) <= t { lo = mid + 1 } else { hi = mid }
  }
  return lo
}
