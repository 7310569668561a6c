// java.util.Properties.load(), by hand: the format is simple and fully
// specified by its Javadoc. Unlike Java (ISO-8859-1 input) bytes pass through
// unchanged, so UTF-8 files read as written.
#include <cerrno>
#include <cstdio>
#include <memory>
#include <system_error>

#include <fmt/format.h>

#include "config/loader.h"
#include "config/loader_internal.h"

namespace connectrun::config {

namespace detail {

std::optional<std::string> read_text_file(const std::string& path, std::string& out) {
  auto closer = [](std::FILE* f) { std::fclose(f); };
  std::unique_ptr<std::FILE, decltype(closer)> f(std::fopen(path.c_str(), "rb"), closer);
  if (!f) return std::system_category().message(errno);
  out.clear();
  char buf[65536];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) out.append(buf, n);
  // fopen succeeds on a directory; the read then fails with EISDIR.
  if (std::ferror(f.get())) return std::system_category().message(errno);
  return std::nullopt;
}

}  // namespace detail

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f'; }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<uint32_t> hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
    else return std::nullopt;
  }
  return v;
}

// Undoes Java's escapes; a malformed \uXXXX is reported (Java throws for it).
std::string unescape(std::string_view s, bool& malformed) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        auto cp = hex4(s, i + 1);
        if (!cp) {
          malformed = true;
          out += "\\u";
          break;
        }
        i += 4;
        // Java strings are UTF-16: a high surrogate escape followed by a low one is one character.
        if (*cp >= 0xD800 && *cp < 0xDC00 && i + 2 < s.size() && s[i + 1] == '\\' && s[i + 2] == 'u') {
          if (auto lo = hex4(s, i + 3); lo && *lo >= 0xDC00 && *lo < 0xE000) {
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*lo - 0xDC00);
            i += 6;
          }
        }
        append_utf8(out, *cp);
        break;
      }
      default: out += c;  // \\ \= \: \  \# and any other character stand for themselves
    }
  }
  return out;
}

// Whether a natural line ends with an odd number of backslashes (a continuation).
bool continues(std::string_view line) {
  size_t n = 0;
  for (size_t i = line.size(); i > 0 && line[i - 1] == '\\'; --i) ++n;
  return n % 2 == 1;
}

}  // namespace

RawConfig load_properties_text(std::string_view text, const std::string& file_name, Problems& problems) {
  RawConfig out;
  size_t pos = 0;
  int line_no = 0;
  // Natural lines end at \n, \r or \r\n.
  auto next_line = [&](std::string_view& line) {
    if (pos >= text.size()) return false;
    size_t end = text.find_first_of("\r\n", pos);
    if (end == std::string_view::npos) end = text.size();
    line = text.substr(pos, end - pos);
    pos = end;
    if (pos < text.size()) pos += (text[pos] == '\r' && pos + 1 < text.size() && text[pos + 1] == '\n') ? 2 : 1;
    ++line_no;
    return true;
  };

  std::string_view natural;
  while (next_line(natural)) {
    size_t i = 0;
    while (i < natural.size() && is_space(natural[i])) ++i;
    if (i == natural.size() || natural[i] == '#' || natural[i] == '!') continue;
    int start_line = line_no;
    // Join continuation lines, dropping the trailing backslash and the next line's leading whitespace.
    std::string logical(natural.substr(i));
    while (continues(logical)) {
      logical.pop_back();
      std::string_view more;
      if (!next_line(more)) break;
      size_t j = 0;
      while (j < more.size() && is_space(more[j])) ++j;
      logical.append(more.substr(j));
    }

    // The key ends at the first unescaped '=', ':' or whitespace.
    size_t k = 0;
    while (k < logical.size()) {
      char c = logical[k];
      if (c == '\\') {
        k += 2;
        continue;
      }
      if (c == '=' || c == ':' || is_space(c)) break;
      ++k;
    }
    size_t key_end = std::min(k, logical.size());
    size_t v = key_end;
    while (v < logical.size() && is_space(logical[v])) ++v;
    if (v < logical.size() && (logical[v] == '=' || logical[v] == ':')) {
      ++v;
      while (v < logical.size() && is_space(logical[v])) ++v;
    }

    bool malformed = false;
    std::string key = unescape(std::string_view(logical).substr(0, key_end), malformed);
    std::string value = unescape(std::string_view(logical).substr(v), malformed);
    Location loc{file_name, start_line, 0};
    if (malformed) problems.add(loc, "", key, "malformed \\uXXXX escape");
    out[key] = RawEntry{std::move(value), std::move(loc)};  // later duplicates win, as in Java
  }
  return out;
}

}  // namespace connectrun::config
