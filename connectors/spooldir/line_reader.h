// Buffered reading of a spool file line by line (\n or \r\n), counting lines.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace connectrun::spooldir {

class LineReader {
 public:
  // Throws std::runtime_error naming the file when it cannot be opened.
  LineReader(const std::string& path, size_t buffer_size, bool keep_carriage_return = false);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  // The next line without its terminator (valid until the next call); false
  // at the end of the file. A last line without a terminator is a line.
  bool next(std::string_view& line);
  int64_t lines_read() const { return lines_; }

 private:
  bool fill();
  std::string path_;
  int fd_ = -1;
  bool keep_cr_ = false;
  bool eof_ = false;
  std::vector<char> buf_;
  size_t start_ = 0, end_ = 0;
  int64_t lines_ = 0;
};

}  // namespace connectrun::spooldir
