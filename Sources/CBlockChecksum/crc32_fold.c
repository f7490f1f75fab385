// CRC-32 by folding with carry-less multiplication (PCLMULQDQ), after Intel's white paper "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction" (Gopal et al., 2009). The constants are the paper's for the
// bit-reflected CRC-32 polynomial: x^(4*128+32) mod P, x^(4*128-32) mod P (folding 512 bits), x^(128+32) mod P,
// x^(128-32) mod P (folding 128 bits), x^64 mod P (128 to 64 bits), and P and floor(x^64 / P) for the Barrett
// reduction to 32 bits, each bit-reflected and shifted left by one as the paper gives them.
#include "CBlockChecksum.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int capstan_crc32_fold_available(void) {
    unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    const unsigned int pclmulqdq = 1u << 1, sse41 = 1u << 19;
    return (ecx & pclmulqdq) && (ecx & sse41);
}

#define FOLD_TARGET __attribute__((target("pclmul,sse4.1")))

/// One folding step: the 128 bits of `x` carried 128 (or 512) bits forward by the pair of constants in `k`, added
/// (xor) to the next 128 bits of data.
FOLD_TARGET static inline __m128i fold(__m128i x, __m128i k, __m128i next) {
    __m128i low = _mm_clmulepi64_si128(x, k, 0x00);   // x[63:0] * k[63:0]
    __m128i high = _mm_clmulepi64_si128(x, k, 0x11);  // x[127:64] * k[127:64]
    return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

FOLD_TARGET uint32_t capstan_crc32_fold(uint32_t crc, const uint8_t *bytes, size_t length) {
    const __m128i fold512 = _mm_set_epi64x(0x01c6e41596, 0x0154442bd4);
    const __m128i fold128 = _mm_set_epi64x(0x00ccaa009e, 0x01751997d0);
    const __m128i fold64 = _mm_set_epi64x(0, 0x0163cd6124);
    const __m128i barrett = _mm_set_epi64x(0x01f7011641, 0x01db710641);
    const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);

    __m128i a = _mm_loadu_si128((const __m128i *)(bytes + 0));
    __m128i b = _mm_loadu_si128((const __m128i *)(bytes + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(bytes + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(bytes + 48));
    a = _mm_xor_si128(a, _mm_cvtsi32_si128((int)~crc));
    bytes += 64;
    length -= 64;

    // Four lanes of 128 bits, each carried 512 bits forward per step.
    while (length >= 64) {
        a = fold(a, fold512, _mm_loadu_si128((const __m128i *)(bytes + 0)));
        b = fold(b, fold512, _mm_loadu_si128((const __m128i *)(bytes + 16)));
        c = fold(c, fold512, _mm_loadu_si128((const __m128i *)(bytes + 32)));
        d = fold(d, fold512, _mm_loadu_si128((const __m128i *)(bytes + 48)));
        bytes += 64;
        length -= 64;
    }
    // The four lanes into one, then the remaining 16-byte pieces.
    a = fold(a, fold128, b);
    a = fold(a, fold128, c);
    a = fold(a, fold128, d);
    while (length >= 16) {
        a = fold(a, fold128, _mm_loadu_si128((const __m128i *)bytes));
        bytes += 16;
        length -= 16;
    }
    // 128 bits to 64: the low half carried over the high half.
    __m128i t = _mm_clmulepi64_si128(a, fold128, 0x10);  // a[63:0] * x^(128-32) mod P
    a = _mm_xor_si128(_mm_srli_si128(a, 8), t);
    // 64 bits to 32 plus a remainder.
    t = _mm_srli_si128(a, 4);
    a = _mm_clmulepi64_si128(_mm_and_si128(a, low32), fold64, 0x00);
    a = _mm_xor_si128(a, t);
    // Barrett reduction to the 32-bit remainder.
    t = _mm_clmulepi64_si128(_mm_and_si128(a, low32), barrett, 0x10);  // * floor(x^64 / P)
    t = _mm_clmulepi64_si128(_mm_and_si128(t, low32), barrett, 0x00);  // * P
    a = _mm_xor_si128(a, t);
    return ~(uint32_t)_mm_extract_epi32(a, 1);
}

#else

int capstan_crc32_fold_available(void) { return 0; }

uint32_t capstan_crc32_fold(uint32_t crc, const uint8_t *bytes, size_t length) {
    (void)bytes;
    (void)length;
    return crc;  // never called: capstan_crc32_fold_available() is 0 here
}

#endif
