"""FeatureDB's entity → shard function, bit for bit (``fdb shard-of``, ``--shard k/N``).

The shard of an entity id among N shards is ``jump(fnv1a64(utf8 bytes of the id), N)``:
64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3, XOR then multiply modulo
2**64), then Lamping and Veach's jump consistent hash.
"""

MASK64 = (1 << 64) - 1
FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3


def fnv1a64(data: bytes) -> int:
    """64-bit FNV-1a of ``data``."""
    h = FNV_OFFSET
    for byte in data:
        h ^= byte
        h = (h * FNV_PRIME) & MASK64
    return h


def jump(key: int, buckets: int) -> int:
    """Jump consistent hash of a 64-bit ``key`` to one of ``buckets`` (0 when buckets < 2)."""
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & MASK64
        j = int(float(b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return max(b, 0)


def shard_of(entity: str, shards: int) -> int:
    """The shard (0 ≤ k < shards) FeatureDB assigns to ``entity``."""
    return jump(fnv1a64(entity.encode("utf-8")), shards)
