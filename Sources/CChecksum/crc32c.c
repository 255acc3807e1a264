// CRC-32C for FeatureDB's record checksums. Swift cannot reach the crc32 instruction, so this
// small C file does: hardware on x86-64 with SSE4.2 (checked once at load), slicing-by-8 tables
// everywhere else. Both give identical results (tests compare them with the standard check value).
#include "crc32c.h"
#include <string.h>

static uint32_t table[8][256];
static int use_hardware;

__attribute__((constructor)) static void crc32c_init(void) {
  for (uint32_t i = 0; i < 256; i++) {
    uint32_t c = i;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; i++)
    for (int k = 1; k < 8; k++) table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xff];
#if defined(__x86_64__)
  __builtin_cpu_init();
  use_hardware = __builtin_cpu_supports("sse4.2");
#endif
}

static uint32_t crc32c_software(uint32_t crc, const unsigned char *p, size_t n) {
  while (n >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);  // unaligned, little-endian on every platform FeatureDB targets
    uint32_t lo = (uint32_t)word ^ crc, hi = (uint32_t)(word >> 32);
    crc = table[7][lo & 0xff] ^ table[6][(lo >> 8) & 0xff] ^ table[5][(lo >> 16) & 0xff] ^ table[4][lo >> 24] ^
          table[3][hi & 0xff] ^ table[2][(hi >> 8) & 0xff] ^ table[1][(hi >> 16) & 0xff] ^ table[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n--) crc = (crc >> 8) ^ table[0][(crc ^ *p++) & 0xff];
  return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hardware(uint32_t crc, const unsigned char *p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t word;
    memcpy(&word, p, 8);
    c = __builtin_ia32_crc32di(c, word);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return c32;
}
#endif

uint32_t fdb_crc32c(const void *data, size_t length) {
  const unsigned char *p = data;
#if defined(__x86_64__)
  if (use_hardware) return ~crc32c_hardware(0xFFFFFFFFu, p, length);
#endif
  return ~crc32c_software(0xFFFFFFFFu, p, length);
}
