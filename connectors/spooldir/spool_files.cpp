#include "connectors/spooldir/spool_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace connectrun::spooldir {

namespace fs = std::filesystem;

namespace {

std::u16string utf16(const std::string& s) {
  std::u16string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = 0xFFFD;
    size_t len = 1;
    if (c < 0x80) cp = c;
    else if ((c >> 5) == 0x6 && i + 1 < s.size()) cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3F), len = 2;
    else if ((c >> 4) == 0xE && i + 2 < s.size()) cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3F) << 6) | (s[i + 2] & 0x3F), len = 3;
    else if ((c >> 3) == 0x1E && i + 3 < s.size())
      cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3F) << 12) | ((s[i + 2] & 0x3F) << 6) | (s[i + 3] & 0x3F), len = 4;
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

int compare_by(const SortAttribute a, const InputFile& x, const InputFile& y) {
  auto cmp = [](auto l, auto r) { return l < r ? -1 : r < l ? 1 : 0; };
  switch (a) {
    case SortAttribute::NameAsc: return cmp(x.name, y.name);
    case SortAttribute::NameDesc: return cmp(y.name, x.name);
    case SortAttribute::LengthAsc: return cmp(x.length, y.length);
    case SortAttribute::LengthDesc: return cmp(y.length, x.length);
    case SortAttribute::LastModifiedAsc: return cmp(x.last_modified_ms, y.last_modified_ms);
    case SortAttribute::LastModifiedDesc: return cmp(y.last_modified_ms, x.last_modified_ms);
  }
  return 0;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool belongs_to_task(const std::string& name, int task_index, int task_count) {
  if (task_count <= 1) return true;
  uint32_t a = 1, b = 0;
  for (char16_t c : utf16(name)) {
    for (uint32_t byte : {static_cast<uint32_t>(c & 0xFF), static_cast<uint32_t>(c >> 8)}) {
      a = (a + byte) % 65521;
      b = (b + a) % 65521;
    }
  }
  const auto h = static_cast<int32_t>((b << 16) | a);
  const int64_t v = h == INT32_MIN ? h : std::abs(static_cast<int64_t>(h));  // Math.abs keeps MIN_VALUE
  return v % task_count == task_index;
}

std::vector<InputFile> list_input_files(const SpoolConfig& cfg) {
  std::vector<InputFile> out;
  std::error_code ec;
  auto consider = [&](const fs::directory_entry& e) {
    const std::string name = e.path().filename().string();
    if (ends_with(name, cfg.processing_extension) || !cfg.pattern->full_match(name)) return;
    struct stat st{};
    if (::stat(e.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;  // gone, or a folder, fifo, …
    if (!belongs_to_task(name, cfg.task_index, cfg.task_count)) return;
    InputFile f;
    f.path = e.path().string();
    f.name = name;
    const auto rel = e.path().parent_path().lexically_relative(cfg.input_path).string();
    f.relative_dir = rel == "." ? "" : rel;
    f.length = st.st_size;
    f.last_modified_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
    out.push_back(std::move(f));
  };
  if (cfg.walk_recursively) {
    fs::recursive_directory_iterator it(cfg.input_path, fs::directory_options::skip_permission_denied, ec), end;
    if (ec) throw std::runtime_error(fmt::format("cannot list input.path {}: {}", cfg.input_path, ec.message()));
    for (; it != end; it.increment(ec)) {
      if (ec) throw std::runtime_error(fmt::format("cannot list input.path {}: {}", cfg.input_path, ec.message()));
      consider(*it);
    }
  } else {
    fs::directory_iterator it(cfg.input_path, ec), end;
    if (ec) throw std::runtime_error(fmt::format("cannot list input.path {}: {}", cfg.input_path, ec.message()));
    for (; it != end; it.increment(ec)) {
      if (ec) throw std::runtime_error(fmt::format("cannot list input.path {}: {}", cfg.input_path, ec.message()));
      consider(*it);
    }
  }
  std::stable_sort(out.begin(), out.end(), [&](const InputFile& x, const InputFile& y) {
    for (auto a : cfg.sort)
      if (int c = compare_by(a, x, y)) return c < 0;
    return x.path < y.path;
  });
  return out;
}

void move_file(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::create_directories(fs::path(to).parent_path(), ec);
  if (ec) throw std::runtime_error(fmt::format("cannot create {}: {}", fs::path(to).parent_path().string(), ec.message()));
  if (::rename(from.c_str(), to.c_str()) == 0) return;
  if (errno != EXDEV) throw std::runtime_error(fmt::format("cannot move {} to {}: {}", from, to, std::strerror(errno)));
  // Another file system: copy (then sync) and remove.
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) throw std::runtime_error(fmt::format("cannot copy {} to {}: {}", from, to, ec.message()));
  if (int fd = ::open(to.c_str(), O_RDONLY | O_CLOEXEC); fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  if (::unlink(from.c_str()) != 0) throw std::runtime_error(fmt::format("cannot remove {}: {}", from, std::strerror(errno)));
}

void write_small_file(const std::string& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      throw std::runtime_error(fmt::format("cannot write {}: {}", path, std::strerror(err)));
    }
    done += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
}

}  // namespace connectrun::spooldir
