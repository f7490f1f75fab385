#ifndef CBLOCKCHECKSUM_H
#define CBLOCKCHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/// 1 when this CPU can run `capstan_crc32_fold` (x86-64 with PCLMULQDQ and SSE4.1, checked with CPUID), else 0.
int capstan_crc32_fold_available(void);

/// Continues the CRC-32 (ISO-HDLC, zlib's `crc32`: reflected polynomial 0xEDB88320, pre- and post-inverted) `crc`
/// over `length` bytes at `bytes` by carry-less multiplication, 64 bytes per step. Same value as zlib's
/// `crc32(crc, bytes, length)`. Requires `length >= 64`, `length % 16 == 0` and `capstan_crc32_fold_available()`.
uint32_t capstan_crc32_fold(uint32_t crc, const uint8_t *bytes, size_t length);

#endif
