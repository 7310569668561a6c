#include "connectors/spooldir/line_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace connectrun::spooldir {

LineReader::LineReader(const std::string& path, size_t buffer_size, bool keep_carriage_return)
    : path_(path), keep_cr_(keep_carriage_return), buf_(std::max<size_t>(buffer_size, 4096)) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

bool LineReader::fill() {
  if (start_ > 0) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // a line longer than the buffer
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
    return n > 0;
  }
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const char* base = buf_.data() + start_;
    const size_t avail = end_ - start_;
    const char* nl = static_cast<const char*>(std::memchr(base, '\n', avail));
    if (nl || (eof_ && avail > 0)) {
      size_t len = nl ? static_cast<size_t>(nl - base) : avail;
      start_ += nl ? len + 1 : len;
      if (!keep_cr_ && len > 0 && base[len - 1] == '\r') --len;
      line = std::string_view(base, len);
      ++lines_;
      return true;
    }
    if (eof_) return false;
    fill();
  }
}

}  // namespace connectrun::spooldir
