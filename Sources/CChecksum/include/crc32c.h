#ifndef FEATUREDB_CRC32C_H
#define FEATUREDB_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/// CRC-32C (Castagnoli) of `length` bytes at `data`: initial value and final xor 0xFFFFFFFF.
/// Uses the SSE4.2 crc32 instruction when the processor has it, a table otherwise.
uint32_t fdb_crc32c(const void *data, size_t length);

#endif
