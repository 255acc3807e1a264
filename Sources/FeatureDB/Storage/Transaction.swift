import CLMDB

/// What both transaction kinds can do: read.
///
/// Transactions are non-copyable and only lent to a closure, so neither they nor pointers obtained
/// through them outlive the transaction.
protocol Transaction: ~Copyable {
  var handle: OpaquePointer { get }
}

/// A read-only snapshot (`mdb_txn_begin` with `MDB_RDONLY`). It has no write methods, so writing
/// through it does not compile.
struct ReadTransaction: Transaction, ~Copyable {
  let handle: OpaquePointer
}

/// A write transaction. Reads through it see its own uncommitted writes.
struct WriteTransaction: Transaction, ~Copyable {
  let handle: OpaquePointer
}

extension Transaction where Self: ~Copyable {
  /// The transaction's id (`mdb_txn_id`): for a read transaction, the id of the committed
  /// transaction it sees, so two read transactions with the same id see the same data. The id
  /// comes from disk: one of 2⁶³ or more comes back as a negative `Int`, kept as its bits.
  var id: UInt64 { UInt64(truncatingIfNeeded: mdb_txn_id(handle)) }
}
