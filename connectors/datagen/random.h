// The generator's pseudo-random numbers, defined here bit for bit (SplitMix64
// to seed, xoshiro256** to draw, our own mappings to ranges) rather than
// std:: distributions, whose results differ between standard libraries: the
// same random.seed gives the same records on every machine and build.
#pragma once

#include <cstdint>

namespace connectrun::datagen {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { reseed(seed); }

  // The state is derived from one 64-bit seed, so a seed stored in the
  // source offset restores the whole generator (as Java's Random.setSeed).
  void reseed(uint64_t seed) {
    uint64_t x = seed;
    for (auto& word : s_) word = splitmix64(x);
  }

  uint64_t next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1): the top 53 bits as a double's fraction.
  double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  float next_float() { return static_cast<float>(next_u64() >> 40) * 0x1.0p-24f; }
  bool next_bool() { return (next_u64() >> 63) != 0; }

  // Uniform in [0, n) for n > 0 (Lemire's multiply-and-reject: no modulo bias).
  uint64_t below(uint64_t n) {
    for (;;) {
      const uint64_t x = next_u64();
      __extension__ const unsigned __int128 m = static_cast<unsigned __int128>(x) * n;
      const auto low = static_cast<uint64_t>(m);
      if (low >= n || low >= (0 - n) % n) return static_cast<uint64_t>(m >> 64);
    }
  }
  // Uniform in [lo, hi] (inclusive), lo <= hi.
  int64_t between(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
    if (span == UINT64_MAX) return static_cast<int64_t>(next_u64());
    return static_cast<int64_t>(static_cast<uint64_t>(lo) + below(span + 1));
  }

  static uint64_t splitmix64(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4]{};
};

}  // namespace connectrun::datagen
