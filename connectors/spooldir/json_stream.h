// A spool file of JSON values one after another (one per line, or pretty
// printed), read with simdjson's parse_many as Jackson's readValues reads it
// for kafka-connect-spooldir.
#pragma once

#include <cstdint>
#include <string>

#include <simdjson.h>

namespace connectrun::spooldir {

class JsonStream {
 public:
  // Loads the file (it is held in memory while read). Throws std::runtime_error.
  explicit JsonStream(const std::string& path);
  // The next value; false at the end. Throws ParseError ("record N (line L)")
  // for text that is not JSON.
  bool next(simdjson::dom::element& out);
  int64_t index() const { return index_; }  // 0-based index of the value last returned
  std::string where();  // "record N (line L)" of the value last returned

 private:
  int64_t line_at(size_t pos);
  bool next_by_lines(simdjson::dom::element& out);
  simdjson::padded_string text_;
  simdjson::dom::parser parser_;
  simdjson::dom::document_stream stream_;
  simdjson::dom::document_stream::iterator it_, end_;
  // After parse_many reports an error (it may fail a whole window), values are
  // read line by line from where it stopped, so the bad one is found exactly.
  simdjson::dom::parser line_parser_;
  bool line_mode_ = false;
  size_t line_pos_ = 0;
  bool started_ = false;
  int64_t index_ = -1;
  size_t pos_ = 0;          // byte position of the value last returned
  size_t counted_to_ = 0;   // newlines are counted up to here…
  int64_t line_ = 1;        // …giving this line
};

}  // namespace connectrun::spooldir
