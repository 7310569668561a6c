#include "connectors/spooldir/json_stream.h"

#include <algorithm>
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

bool JsonStream::next(simdjson::dom::element& out) {
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
  ++index_;
  pos_ = it_.current_index();
  auto doc = *it_;
  if (doc.error()) throw ParseError(where(), fmt::format("not valid JSON: {}", simdjson::error_message(doc.error())));
  out = doc.value_unsafe();
  return true;
}

}  // namespace connectrun::spooldir
