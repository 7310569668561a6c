// Lines as Java's UTF-8 decoder reads them: Kafka's FileStreamSource decodes
// its file with InputStreamReader(UTF_8), which replaces each malformed
// sequence with one U+FFFD.
#pragma once

#include <string>
#include <string_view>

namespace connectrun::file {

// `bytes` as a valid UTF-8 string: unchanged when it already is one (checked
// first, with simdjson's vectorised validator), otherwise each malformed
// sequence replaced by U+FFFD exactly as sun.nio.cs.UTF_8's decoder does.
// `bytes` is one line: the byte after it is taken to be its terminator.
std::string decode_utf8_line(std::string_view bytes);

// The replacement alone, for input known to be malformed somewhere.
std::string replace_malformed_utf8(std::string_view bytes);

}  // namespace connectrun::file
