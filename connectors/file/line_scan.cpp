#include "connectors/file/line_scan.h"

#include <cstdint>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace connectrun::file {

namespace {
LineEnd ending_at(const char* base, size_t avail, size_t i, bool ascii) {
  if (base[i] == '\n') return {i, 1, ascii};
  if (i + 1 == avail) return {i, 0, ascii};
  return {i, base[i + 1] == '\n' ? size_t{2} : size_t{1}, ascii};
}
// The tail after the vector loops: byte by byte, `high` carried in.
LineEnd scan_bytes(const char* base, size_t avail, size_t i, bool high) {
  for (; i < avail; ++i) {
    const char c = base[i];
    if (c == '\n' || c == '\r') return ending_at(base, avail, i, !high);
    high = high || static_cast<uint8_t>(c) >= 0x80;
  }
  return {avail, 0, false};
}

#if defined(__x86_64__)
// 64 bytes a step where the CPU has AVX2 (chosen once, at run time: the binary
// itself is built for any x86-64), then 32: lines of ~100 bytes take 2 steps.
__attribute__((target("avx2"))) LineEnd scan_avx2(const char* base, size_t avail) {
  const __m256i nl = _mm256_set1_epi8('\n');
  const __m256i cr = _mm256_set1_epi8('\r');
  __m256i seen = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 64 <= avail; i += 64) {
    const __m256i lo = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + i));
    const __m256i hi = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + i + 32));
    const __m256i ends_lo = _mm256_or_si256(_mm256_cmpeq_epi8(lo, nl), _mm256_cmpeq_epi8(lo, cr));
    const __m256i ends_hi = _mm256_or_si256(_mm256_cmpeq_epi8(hi, nl), _mm256_cmpeq_epi8(hi, cr));
    if (!_mm256_testz_si256(_mm256_or_si256(ends_lo, ends_hi), _mm256_or_si256(ends_lo, ends_hi))) {
      // movemask's int holds 32 bits: through uint32_t, so that no sign is carried into the upper half.
      const uint64_t ends = static_cast<uint32_t>(_mm256_movemask_epi8(ends_lo)) |
                            static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(ends_hi))) << 32;
      const uint64_t high = static_cast<uint32_t>(_mm256_movemask_epi8(lo)) |
                            static_cast<uint64_t>(static_cast<uint32_t>(_mm256_movemask_epi8(hi))) << 32;
      const auto k = static_cast<unsigned>(__builtin_ctzll(ends));
      const uint64_t before = high & ((uint64_t{1} << k) - 1);
      return ending_at(base, avail, i + k, before == 0 && _mm256_movemask_epi8(seen) == 0);
    }
    seen = _mm256_or_si256(seen, _mm256_or_si256(lo, hi));
  }
  for (; i + 32 <= avail; i += 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(base + i));
    const auto ends =
        static_cast<uint32_t>(_mm256_movemask_epi8(_mm256_or_si256(_mm256_cmpeq_epi8(v, nl), _mm256_cmpeq_epi8(v, cr))));
    if (ends != 0) {
      const auto k = static_cast<unsigned>(__builtin_ctz(ends));
      const uint32_t before = static_cast<uint32_t>(_mm256_movemask_epi8(v)) & ((uint32_t{1} << k) - 1);
      return ending_at(base, avail, i + k, before == 0 && _mm256_movemask_epi8(seen) == 0);
    }
    seen = _mm256_or_si256(seen, v);
  }
  return scan_bytes(base, avail, i, _mm256_movemask_epi8(seen) != 0);
}
#endif

// Sixteen bytes at a time: the terminators' positions and the bytes' sign bits
// (non-ASCII) from the same loads.
LineEnd scan_sse2(const char* base, size_t avail) {
  size_t i = 0;
  bool high = false;  // a byte >= 0x80 seen before i
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  __m128i seen = _mm_setzero_si128();
  for (; i + 16 <= avail; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i));
    const auto ends = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, cr))));
    if (ends != 0) {
      const auto k = static_cast<unsigned>(__builtin_ctz(ends));
      const auto before = static_cast<unsigned>(_mm_movemask_epi8(v)) & ((1u << k) - 1);
      return ending_at(base, avail, i + k, before == 0 && _mm_movemask_epi8(seen) == 0);
    }
    seen = _mm_or_si128(seen, v);
  }
  high = _mm_movemask_epi8(seen) != 0;
#endif
  return scan_bytes(base, avail, i, high);
}

LineScan pick_scan() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) return scan_avx2;
#endif
  return scan_sse2;
}
}  // namespace

LineEnd find_line_end(const char* base, size_t avail) { return line_scan()(base, avail); }

LineScan line_scan() {
  static const LineScan scan = pick_scan();
  return scan;
}

LineEnd find_line_end_sse2(const char* base, size_t avail) { return scan_sse2(base, avail); }

}  // namespace connectrun::file
