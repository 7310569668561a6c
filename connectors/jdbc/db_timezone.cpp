#include "connectors/jdbc/db_timezone.h"

#include <stdexcept>

#include <unicode/timezone.h>
#include <unicode/unistr.h>

namespace connectrun::jdbc {

struct DbTimeZone::Zone {
  std::unique_ptr<icu::TimeZone> tz;
};

namespace {

constexpr int64_t kNsPerMs = 1000000;

// Floor division: instants before 1970 round towards the earlier millisecond.
int64_t floor_ms(int64_t ns) { return ns >= 0 ? ns / kNsPerMs : -((-ns + kNsPerMs - 1) / kNsPerMs); }

}  // namespace

DbTimeZone::DbTimeZone(const std::string& id) : id_(id) {
  utc_ = id == "UTC" || id == "Etc/UTC" || id == "Z" || id == "GMT" || id == "+00:00";
  if (utc_) return;
  tz_ = std::make_unique<Zone>();
  tz_->tz.reset(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(id)));
  if (!tz_->tz || *tz_->tz == icu::TimeZone::getUnknown())
    throw std::invalid_argument("db.timezone '" + id + "' is not a known time zone (use an IANA name such as "
                                "Europe/Berlin, or UTC)");
}

DbTimeZone::~DbTimeZone() = default;

DbTimeZone::DbTimeZone(const DbTimeZone& other)
    : id_(other.id_), utc_(other.utc_), tz_(other.tz_ ? std::make_unique<Zone>(Zone{std::unique_ptr<icu::TimeZone>(other.tz_->tz->clone())}) : nullptr) {}

DbTimeZone& DbTimeZone::operator=(const DbTimeZone& other) {
  if (this != &other) {
    id_ = other.id_;
    utc_ = other.utc_;
    tz_ = other.tz_ ? std::make_unique<Zone>(Zone{std::unique_ptr<icu::TimeZone>(other.tz_->tz->clone())}) : nullptr;
  }
  return *this;
}

int64_t DbTimeZone::to_local_ns(int64_t utc_ns) const {
  if (utc_) return utc_ns;
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  tz_->tz->getOffset(static_cast<UDate>(floor_ms(utc_ns)), false, raw, dst, status);
  if (U_FAILURE(status)) throw std::runtime_error("db.timezone " + id_ + ": ICU cannot give the offset");
  return utc_ns + (static_cast<int64_t>(raw) + dst) * kNsPerMs;
}

int64_t DbTimeZone::to_utc_ns(int64_t local_ns) const {
  if (utc_) return local_ns;
  int32_t raw = 0, dst = 0;
  UErrorCode status = U_ZERO_ERROR;
  // local = true: ICU reads the time as a wall-clock time of the zone (in a DST gap or overlap it picks one offset).
  tz_->tz->getOffset(static_cast<UDate>(floor_ms(local_ns)), true, raw, dst, status);
  if (U_FAILURE(status)) throw std::runtime_error("db.timezone " + id_ + ": ICU cannot give the offset");
  return local_ns - (static_cast<int64_t>(raw) + dst) * kNsPerMs;
}

}  // namespace connectrun::jdbc
