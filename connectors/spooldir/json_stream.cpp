#include "connectors/spooldir/json_stream.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <cstring>

#include <fmt/format.h>

#include "connectors/spooldir/spool_task.h"

namespace connectrun::spooldir {

namespace {
// parse_many's window: a value longer than this cannot be read.
constexpr size_t kBatch = 4u << 20;
}  // namespace

JsonStream::JsonStream(const std::string& path) {
  if (auto err = simdjson::padded_string::load(path).get(text_))
    throw std::runtime_error(fmt::format("cannot read {}: {}", path, simdjson::error_message(err)));
  if (auto err = parser_.parse_many(text_, kBatch).get(stream_))
    throw std::runtime_error(fmt::format("cannot read {}: {}", path, simdjson::error_message(err)));
}

int64_t JsonStream::line_at(size_t pos) {
  pos = std::min(pos, text_.size());
  if (pos < counted_to_) counted_to_ = 0, line_ = 1;
  for (const char* p = text_.data() + counted_to_; (p = static_cast<const char*>(std::memchr(p, '\n', text_.data() + pos - p)));) {
    ++line_;
    ++p;
  }
  counted_to_ = pos;
  return line_;
}

std::string JsonStream::where() { return fmt::format("record {} (line {})", index_, line_at(pos_)); }

// A value starting with { or [ may span lines, up to the next line that
// starts with { or [ in its first column; any other value is on one line.
bool JsonStream::next_by_lines(simdjson::dom::element& out) {
  const char* text = text_.data();
  const size_t size = text_.size();
  while (line_pos_ < size && std::isspace(static_cast<unsigned char>(text[line_pos_]))) ++line_pos_;
  if (line_pos_ >= size) return false;
  const size_t start = line_pos_;
  ++index_;
  pos_ = start;
  const bool may_span = text[start] == '{' || text[start] == '[';
  simdjson::error_code first = simdjson::SUCCESS;
  for (size_t end = start;;) {
    const char* nl = static_cast<const char*>(std::memchr(text + end, '\n', size - end));
    end = nl ? static_cast<size_t>(nl - text) + 1 : size;
    const auto err = line_parser_.parse(text + start, end - start, true).get(out);
    if (!err) {
      line_pos_ = end;
      return true;
    }
    if (first == simdjson::SUCCESS) first = err;
    if (!may_span || end >= size || text[end] == '{' || text[end] == '[')
      throw ParseError(where(), fmt::format("not valid JSON: {}", simdjson::error_message(first)));
  }
}

bool JsonStream::next(simdjson::dom::element& out) {
  if (line_mode_) return next_by_lines(out);
  if (!started_) {
    it_ = stream_.begin();
    end_ = stream_.end();
    started_ = true;
  } else {
    ++it_;
  }
  if (!(it_ != end_)) {
    if (stream_.truncated_bytes() > 0) {
      ++index_;
      pos_ = text_.size() - stream_.truncated_bytes();
      throw ParseError(where(), "the file ends inside a JSON value (it is cut short, or a bracket or quote is missing)");
    }
    return false;
  }
  auto doc = *it_;
  if (doc.error()) {
    line_mode_ = true;
    line_pos_ = it_.current_index();
    return next_by_lines(out);
  }
  ++index_;
  pos_ = it_.current_index();
  out = doc.value_unsafe();
  return true;
}

}  // namespace connectrun::spooldir
