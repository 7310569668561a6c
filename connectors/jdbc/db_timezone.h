// db.timezone: the zone in which the database keeps timestamps without a
// time zone (kafka-connect-jdbc reads and writes them through a Calendar of
// that zone). The zone rules come from ICU (libicu), so any IANA name works.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace connectrun::jdbc {

class DbTimeZone {
 public:
  // Throws std::invalid_argument for a zone ICU does not know.
  explicit DbTimeZone(const std::string& id = "UTC");
  ~DbTimeZone();
  DbTimeZone(const DbTimeZone& other);
  DbTimeZone& operator=(const DbTimeZone& other);
  const std::string& id() const { return id_; }
  bool is_utc() const { return utc_; }
  // An instant (epoch ns) as the wall-clock time of the zone, counted as if it were UTC.
  int64_t to_local_ns(int64_t utc_ns) const;
  // The inverse: a wall-clock time of the zone (counted as if UTC) to the instant.
  int64_t to_utc_ns(int64_t local_ns) const;

 private:
  std::string id_;
  bool utc_ = true;
  struct Zone;  // ICU's TimeZone (kept out of this header)
  std::unique_ptr<Zone> tz_;
};

}  // namespace connectrun::jdbc
