#include "connectors/datagen/gen_nodes.h"

#include <cmath>

namespace connectrun::datagen {

IntegralIteration::IntegralIteration(int64_t start_, int64_t restart_, int64_t step_, int64_t initial,
                                     int64_t generation)
    : start(start_), restart(restart_), step(step_) {
  current = static_cast<i128>(initial) - start;
  if (generation > 0) {
    i128 v = static_cast<i128>(generation) * step + current;
    const i128 m = restart - start < 0 ? start - restart : restart - start;
    current = ((v < 0 ? -v : v) % m) * (step < 0 ? -1 : 1);
  }
}

int64_t IntegralIteration::next() {
  const i128 result = current + start;
  const i128 m = restart - start < 0 ? start - restart : restart - start;
  const i128 v = current + step;
  current = ((v < 0 ? -v : v) % m) * (step < 0 ? -1 : 1);
  return static_cast<int64_t>(result);  // Java's BigInteger.longValue()/intValue(): the low bits
}

DecimalIteration::DecimalIteration(double start_, double restart_, double step_, double initial, int64_t generation)
    : start(start_), modulo(restart_ - start_), step(step_) {
  current = initial - start;
  if (generation > 0) current = std::fmod(static_cast<double>(generation) * step + current, modulo);
}

double DecimalIteration::next() {
  const double result = current + start;
  current = std::fmod(current + step, modulo);
  return result;
}

}  // namespace connectrun::datagen
