#include "connectors/postgres_cdc/pgoutput.h"

#include <stdexcept>

#include <fmt/format.h>

namespace connectrun::postgres_cdc {

namespace {

class Reader {
 public:
  explicit Reader(std::string_view d) : d_(d) {}
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(d_[pos_++]);
  }
  uint16_t u16() { return static_cast<uint16_t>(be(2)); }
  uint32_t u32() { return static_cast<uint32_t>(be(4)); }
  uint64_t u64() { return be(8); }
  std::string cstr() {
    auto end = d_.find('\0', pos_);
    if (end == std::string_view::npos) throw std::runtime_error("pgoutput: unterminated string");
    std::string s(d_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  std::string bytes(size_t n) {
    need(n);
    std::string s(d_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  bool done() const { return pos_ >= d_.size(); }

 private:
  void need(size_t n) const {
    if (d_.size() - pos_ < n) throw std::runtime_error("pgoutput: message ends early");
  }
  uint64_t be(size_t n) {
    need(n);
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(d_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::string_view d_;
  size_t pos_ = 0;
};

Tuple read_tuple(Reader& r) {
  const uint16_t n = r.u16();
  Tuple t(n);
  for (auto& v : t) {
    const char k = static_cast<char>(r.u8());
    switch (k) {
      case 'n': v.kind = TupleValue::Null; break;
      case 'u': v.kind = TupleValue::Unchanged; break;
      case 't':
      case 'b': {  // 'b' (binary) is not requested, but its framing is the same
        v.kind = TupleValue::Text;
        v.text = r.bytes(r.u32());
        break;
      }
      default: throw std::runtime_error(fmt::format("pgoutput: unknown tuple value kind '{}'", k));
    }
  }
  return t;
}

int64_t pg_time_to_unix_us(uint64_t t) { return static_cast<int64_t>(t) + kPgEpochUnixMicros; }

}  // namespace

PgMessage decode_pgoutput(std::string_view data) {
  Reader r(data);
  PgMessage m;
  const char tag = static_cast<char>(r.u8());
  switch (tag) {
    case 'B':
      m.kind = PgMessage::Kind::Begin;
      m.commit_lsn = r.u64();
      m.commit_time_us = pg_time_to_unix_us(r.u64());
      m.xid = r.u32();
      break;
    case 'C':
      m.kind = PgMessage::Kind::Commit;
      (void)r.u8();  // flags
      m.commit_lsn = r.u64();
      m.end_lsn = r.u64();
      m.commit_time_us = pg_time_to_unix_us(r.u64());
      break;
    case 'R': {
      m.kind = PgMessage::Kind::Relation;
      m.relid = r.u32();
      m.nspname = r.cstr();
      if (m.nspname.empty()) m.nspname = "pg_catalog";  // as the protocol says
      m.relname = r.cstr();
      m.replica_identity = static_cast<char>(r.u8());
      const uint16_t n = r.u16();
      m.columns.resize(n);
      for (auto& c : m.columns) {
        c.key = (r.u8() & 1) != 0;
        c.name = r.cstr();
        c.type_oid = r.u32();
        c.typmod = static_cast<int32_t>(r.u32());
      }
      break;
    }
    case 'I':
      m.kind = PgMessage::Kind::Insert;
      m.relid = r.u32();
      if (r.u8() != 'N') throw std::runtime_error("pgoutput: Insert without a new tuple");
      m.new_tuple = read_tuple(r);
      break;
    case 'U': {
      m.kind = PgMessage::Kind::Update;
      m.relid = r.u32();
      char k = static_cast<char>(r.u8());
      if (k == 'K' || k == 'O') {
        m.old_kind = k;
        m.old_tuple = read_tuple(r);
        k = static_cast<char>(r.u8());
      }
      if (k != 'N') throw std::runtime_error("pgoutput: Update without a new tuple");
      m.new_tuple = read_tuple(r);
      break;
    }
    case 'D':
      m.kind = PgMessage::Kind::Delete;
      m.relid = r.u32();
      m.old_kind = static_cast<char>(r.u8());
      if (m.old_kind != 'K' && m.old_kind != 'O') throw std::runtime_error("pgoutput: Delete without an old tuple");
      m.old_tuple = read_tuple(r);
      break;
    case 'T': {
      m.kind = PgMessage::Kind::Truncate;
      const uint32_t n = r.u32();
      (void)r.u8();  // options (CASCADE, RESTART IDENTITY)
      for (uint32_t i = 0; i < n; ++i) m.relids.push_back(r.u32());
      break;
    }
    default:  // Origin ('O'), Type ('Y'), Message ('M'): nothing Debezium emits from them by default
      m.kind = PgMessage::Kind::Other;
      break;
  }
  return m;
}

}  // namespace connectrun::postgres_cdc
