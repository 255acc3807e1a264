#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into Fuzz/corpus/<target>/.

The records are built from docs/format.md and docs/encoding.md alone (an independent writer of
the format), prefixed with the parameter bytes each target reads first (see the comment at the
top of each Fuzz/Targets/<target>.swift). Run it again after changing a target's input layout:

    python3 Fuzz/make-seeds.py
"""

import os
import shutil
import struct

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
EPOCH = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z, the chain_record target's epoch 1
SECOND = 1_000_000

# Value format selectors of the targets (Fuzz/Support/FuzzSupport.swift, valueFormat).
INT, DOUBLE, BOOL, STRING, BYTES, F32, F16, BF16, INT8 = range(9)
ENCODINGS = {F32: 0, F16: 1, BF16: 2, INT8: 3}  # the embedding target's encoding selector
NAMES = {F32: "float32", F16: "float16", BF16: "bfloat16", INT8: "int8"}


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283


def varint(n):
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def svarint(n):
    return varint(((n << 1) ^ (n >> 63)) & (2**64 - 1))


def length_prefixed(b):
    return varint(len(b)) + b


def ovarint(v):
    if v <= 240:
        return bytes([v])
    if v <= 2287:
        x = v - 240
        return bytes([241 + x // 256, x % 256])
    if v <= 67823:
        x = v - 2288
        return bytes([249, x >> 8, x & 0xFF])
    n = (v.bit_length() + 7) // 8
    return bytes([247 + n]) + v.to_bytes(n, "big")


def zstd_raw_frame(content):
    """One zstd frame holding `content` in a raw block, with its content size (RFC 8878)."""
    assert len(content) < 65536 + 256
    if len(content) < 256:
        descriptor, size = 0x20, bytes([len(content)])  # single segment, 1-byte content size
    else:
        descriptor, size = 0x60, struct.pack("<H", len(content) - 256)
    block = (len(content) << 3 | 0 << 1 | 1).to_bytes(3, "little")  # last block, raw
    return struct.pack("<I", 0xFD2FB528) + bytes([descriptor]) + size + block + content


# --- values ---------------------------------------------------------------------------------


def f32_canonical(xs):
    return b"".join(struct.pack("<f", x) for x in xs)


def f16_canonical(xs):
    return b"".join(struct.pack("<e", x) for x in xs)


def bf16_canonical(xs):
    out = bytearray()
    for x in xs:
        u = struct.unpack("<I", struct.pack("<f", x))[0]
        out += struct.pack("<H", ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) & 0xFFFF)
    return bytes(out)


def int8_canonical(xs):
    lo, hi = min(xs), max(xs)
    scale = (hi - lo) / 255 if hi != lo else 0.0
    codes = bytes(round((x - lo) / scale) if scale else 0 for x in xs)
    return struct.pack("<ff", lo, scale) + codes


CANONICAL = {F32: f32_canonical, F16: f16_canonical, BF16: bf16_canonical, INT8: int8_canonical}
LAYOUT = {F32: (4, 23, 8), F16: (2, 10, 5), BF16: (2, 7, 8)}  # bytes, exponent shift, exponent bits


class BitPacker:
    def __init__(self):
        self.out, self.buffer, self.count = bytearray(), 0, 0

    def append(self, value, width):
        self.buffer |= value << self.count
        self.count += width
        while self.count >= 8:
            self.out.append(self.buffer & 0xFF)
            self.buffer >>= 8
            self.count -= 8

    def finish(self):
        if self.count:
            self.out.append(self.buffer & 0xFF)
        return bytes(self.out)


def pack_floats(canonical, selector):
    """Stored form mode 1 (docs/encoding.md): exponents as 3-bit distances below the largest."""
    size, shift, bits = LAYOUT[selector]
    fmt = "<I" if size == 4 else "<H"
    elements = [struct.unpack_from(fmt, canonical, i)[0] for i in range(0, len(canonical), size)]
    exponents = [(e >> shift) & ((1 << bits) - 1) for e in elements]
    rest = BitPacker()
    for e in elements:
        sign = e >> (shift + bits)
        rest.append(sign << shift | (e & ((1 << shift) - 1)), size * 8 - bits)
    top = max(exponents)
    codes, escaped = BitPacker(), bytearray()
    for e in exponents:
        d = top - e
        codes.append(min(d, 7), 3)
        if d >= 7:
            escaped.append(e)
    return bytes([1, top]) + codes.finish() + bytes(escaped) + rest.finish()


def value_record(body, compressed=False, dictionary=None):
    flags = (1 if compressed else 0) | (2 if dictionary is not None else 0)
    rest = (varint(dictionary) if dictionary is not None else b"") + body
    return bytes([flags]) + struct.pack("<I", crc32c(rest)) + rest


VECTOR = [0.12, -0.5, 0.031, 0.9, -0.77, 0.0004, 0.25, -0.0625, 0.33, -0.18, 0.5, 0.071, -0.9, 0.2, 0.015, -0.4]

# --- chains ---------------------------------------------------------------------------------


def lineage_extra(inputs, note=""):
    out = varint(len(inputs))
    for i in inputs:  # (feature, entity, version) or (symbol,)
        out += bytes([0 if len(i) == 3 else 1]) + b"".join(varint(n) for n in i)
    return out + length_prefixed(note.encode())


def entry(version, kind, write, event, value=b"", retracted=False, producer=0, run=0, source=0, extra=b""):
    flags = kind | (4 if retracted else 0)
    tail = svarint(write - EPOCH) + svarint(event - write)
    for bit, symbol in ((8, producer), (16, run), (32, source)):
        if symbol:
            flags |= bit
            tail += varint(symbol)
    if extra:
        flags |= 64
        tail += length_prefixed(extra)
    return varint(version) + bytes([flags]) + tail + value


def chain(entries, next_version=None, pruned=None, vacuumed=None):
    flags, header = 0, b""
    if next_version is not None:
        flags |= 1
        header += varint(next_version)
    for bit, r in ((2, pruned), (4, vacuumed)):
        if r is not None:
            flags |= bit
            header += varint(r[0]) + svarint(r[1]) + svarint(r[2])
    rest = header + b"".join(entries)
    return bytes([flags]) + struct.pack("<I", crc32c(rest)) + rest


def chain_input(selector, dims, record, max_versions=3, event_offset=0):
    control = 1 | max_versions << 3  # epoch 1 (2026-01-01), fix the checksum
    return bytes([selector, dims - 1, control]) + struct.pack(">H", event_offset + 32768) + record


def chain_seeds():
    t = EPOCH + 86_400 * SECOND
    extra = lineage_extra([(3, 7, 2), (11,)], "backfill")
    yield "int", chain_input(INT, 1, chain([
        entry(3, 0, t + 30 * SECOND, t + 20 * SECOND, svarint(-42), producer=1, run=2, source=3, extra=extra),
        entry(2, 1, t + 10 * SECOND, t + 10 * SECOND),
        entry(1, 0, t, t - 3600 * SECOND, svarint(7), retracted=True),
    ], pruned=(2, t - 7200 * SECOND, t - 5000 * SECOND)))
    yield "double", chain_input(DOUBLE, 1, chain([entry(5, 0, t, t, struct.pack("<d", 3.25))], next_version=9,
                                                vacuumed=(4, t - 9000 * SECOND, t - 8000 * SECOND)), event_offset=-60)
    yield "bool", chain_input(BOOL, 1, chain([entry(2, 0, t, t, b"\x01"), entry(1, 0, t - SECOND, t - SECOND, b"\x00")]))
    yield "string", chain_input(STRING, 1, chain([entry(1, 0, t, t, length_prefixed("héllo, wörld".encode()), producer=4)]))
    yield "bytes", chain_input(BYTES, 1, chain([entry(2, 2, t, t), entry(1, 0, t, t - SECOND, length_prefixed(b"\x00\xff\x10"))]))
    for selector in (F32, F16, BF16, INT8):
        dims = 8 if selector != F32 else 4
        canonical = CANONICAL[selector](VECTOR[:dims])
        yield f"embedding-{NAMES[selector]}", chain_input(selector, dims, chain([entry(1, 0, t, t, length_prefixed(canonical))]))
    yield "empty", chain_input(INT, 1, chain([], next_version=4, pruned=(3, t, t)), max_versions=0)


def value_record_input(selector, dims, record, control=0):
    return bytes([selector]) + struct.pack(">H", dims - 1) + bytes([control]) + record


def value_record_seeds():
    text = ('{"user":"u123","event":"login","country":"DE","device":"ios","score":0.5}' * 2).encode()
    yield "string", value_record_input(STRING, 1, value_record(text))
    yield "string-zstd", value_record_input(STRING, 1, value_record(zstd_raw_frame(text), compressed=True))
    yield "bytes-dict", value_record_input(BYTES, 1, value_record(zstd_raw_frame(bytes(range(200))), compressed=True, dictionary=1), control=2)
    yield "int", value_record_input(INT, 1, value_record(svarint(-1234567)))
    for selector in (F32, F16, BF16):
        canonical = CANONICAL[selector](VECTOR)
        yield f"embedding-{NAMES[selector]}-raw", value_record_input(selector, 16, value_record(b"\x00" + canonical))
        yield f"embedding-{NAMES[selector]}-split", value_record_input(selector, 16, value_record(pack_floats(canonical, selector)))
    codes = int8_canonical(VECTOR * 6)
    yield "embedding-int8-zstd", value_record_input(INT8, 96, value_record(b"\x02" + codes[:8] + zstd_raw_frame(codes[8:])))


def embedding_input(selector, dims, data, control=0):
    return bytes([ENCODINGS[selector]]) + struct.pack(">H", dims - 1) + bytes([control]) + data


def embedding_seeds():
    for selector in (F32, F16, BF16):
        canonical = CANONICAL[selector](VECTOR)
        yield f"{NAMES[selector]}-split", embedding_input(selector, 16, pack_floats(canonical, selector))
        yield f"{NAMES[selector]}-raw", embedding_input(selector, 16, b"\x00" + canonical)
    spread = [x * 10.0 ** (i % 12 - 6) for i, x in enumerate(VECTOR)]  # exponents beyond 3 bits
    yield "float32-escapes", embedding_input(F32, 16, pack_floats(f32_canonical(spread), F32))
    codes = int8_canonical(VECTOR * 4)
    yield "int8-zstd", embedding_input(INT8, 64, b"\x02" + codes[:8] + zstd_raw_frame(codes[8:]), control=1)
    yield "int8-raw", embedding_input(INT8, 16, b"\x00" + int8_canonical(VECTOR))


def keys_seeds():
    yield "chain", ovarint(1) + ovarint(2)
    yield "chain-wide", ovarint(2287) + ovarint(67823)
    yield "value", ovarint(300) + ovarint(2288) + ovarint(70000)
    yield "value-large", ovarint(2**40 + 5) + ovarint(1) + ovarint(2**64 - 1)
    biased = (EPOCH + 3600 * SECOND) ^ (1 << 63)
    yield "expiry", biased.to_bytes(8, "big") + ovarint(12) + ovarint(3) + ovarint(241)
    yield "expiry-negative", ((-SECOND) & (2**64 - 1) ^ (1 << 63)).to_bytes(8, "big") + ovarint(1) + ovarint(1) + ovarint(1)


def csv_seeds():
    yield "import", b"\x06entity,time,user.score,user.name\nu1,2026-01-05T10:30:00Z,0.5,Ann\nu2,2026-01-05 11:00:00,1e-3,\n"
    yield "quoted", b'\x00entity,note\r\n"a,b","say ""hi"""\r\n"multi\nline",x\r\n'
    yield "bom", b"\x03\xef\xbb\xbfentity,value\n\xc3\xa9t\xc3\xa9,[0.1,0.2]\n\n"
    yield "unterminated", b'\x01a,"open\n'


def time_seeds():
    for text in ["2026-01-05T10:30:00Z", "2026-01-05T10:30:00.25+02:00", "2026-01-05", "2026-01-05 10:30-01:30",
                 "9999-12-31T23:59:59.999999Z", "0001-01-01T00:00:00Z", "now", "-2h", "+15m", "90s", "500ms",
                 "250us", "7d", "1w"]:
        name = text.replace(":", "_").replace(" ", "_").replace("+", "plus")
        yield "minus" + name[1:] if name.startswith("-") else name, text.encode()


SEEDS = {
    "chain_record": chain_seeds,
    "value_record": value_record_seeds,
    "embedding": embedding_seeds,
    "keys": keys_seeds,
    "csv": csv_seeds,
    "time": time_seeds,
}

for target, seeds in SEEDS.items():
    directory = os.path.join(CORPUS, target)
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    for name, data in seeds():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)
