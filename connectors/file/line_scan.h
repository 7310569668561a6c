// Where a line ends in FileStreamSource's read buffer, found together with
// whether the line is ASCII: one pass over the bytes instead of a search for
// the terminator and then a UTF-8 check of the line.
#pragma once

#include <cstddef>

namespace connectrun::file {

// The first line in [base, base + avail): its length and its terminator's
// (1 or 2: "\n", "\r\n" or "\r"), 0 when no complete terminator is there yet.
// A '\r' at the very end waits for the next byte (it may begin "\r\n"), as
// Kafka's FileStreamSource does. `ascii`: no byte of the line is 0x80 or
// above (then it is valid UTF-8 as it is); meaningful only with a terminator.
struct LineEnd {
  size_t length;
  size_t terminator;
  bool ascii;
};
LineEnd find_line_end(const char* base, size_t avail);
// find_line_end's implementation for this CPU, for a loop over many lines to call directly.
using LineScan = LineEnd (*)(const char* base, size_t avail);
LineScan line_scan();
// The same without AVX2 (which find_line_end uses where the CPU has it), for the tests.
LineEnd find_line_end_sse2(const char* base, size_t avail);

}  // namespace connectrun::file
