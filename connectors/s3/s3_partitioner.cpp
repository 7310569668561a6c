#include "connectors/s3/s3_partitioner.h"

#include <unicode/ucal.h>
#include <unicode/udat.h>

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include "json/json_writer.h"

namespace connectrun::s3 {

namespace {

using config::ConfigError;
using config::KeyType;

constexpr std::string_view kPkg = "io.confluent.connect.storage.partitioner.";

std::string short_name(std::string name) {
  if (name.rfind(kPkg, 0) == 0) name = name.substr(kPkg.size());
  return name;
}

// A value of a struct field or map entry, by a dotted-free field name.
const Value* field_of(const Record& r, const std::string& name) {
  if (r.value.is_struct()) {
    const auto& s = r.value.as_struct();
    const Field* f = s.schema ? s.schema->field(name) : nullptr;
    return f ? &s.values[f->index] : nullptr;
  }
  return r.value.find(name);
}

class DefaultPartitioner : public Partitioner {
 public:
  // Called for every record: to_chars into a short string, no formatting machinery.
  std::string encode(const Record& r, int64_t) const override {
    char buf[24] = "partition=";
    auto end = std::to_chars(buf + 10, buf + sizeof buf, r.partition.value_or(0)).ptr;
    return std::string(buf, end);
  }
};

class FieldPartitioner : public Partitioner {
 public:
  FieldPartitioner(std::vector<std::string> fields, std::string delim) : fields_(std::move(fields)), delim_(std::move(delim)) {}
  std::string encode(const Record& r, int64_t) const override {
    std::string out;
    for (const auto& name : fields_) {
      if (!r.value.is_struct() && !r.value.is<MapEntries>())
        throw DataException(fmt::format("FieldPartitioner needs a struct or map value to read field '{}' from; the value "
                                        "is {}", name, r.value.is_null() ? std::string("null") : std::string(r.value.java_class())));
      const Value* v = field_of(r, name);
      if (!v || v->is_null())
        throw DataException(fmt::format("the value has no field '{}' (partition.field.name) to partition by", name));
      std::string text;
      if (auto* s = v->get_if<std::string>()) text = *s;
      else if (v->is<bool>() || v->is<int8_t>() || v->is<int16_t>() || v->is<int32_t>() || v->is<int64_t>())
        append_schemaless_json(text, *v);
      else
        throw DataException(fmt::format("field '{}' (partition.field.name) is a {}: only strings, integers and booleans "
                                        "name a partition", name, v->java_class()));
      if (!out.empty()) out += delim_;
      out += name + "=" + text;
    }
    return out;
  }

 private:
  std::vector<std::string> fields_;
  std::string delim_;
};

struct UCalDeleter {
  void operator()(UCalendar* c) const { ucal_close(c); }
};

// Joda-Time's DateTimeFormat patterns, as path.format uses them: letters are
// fields (y/Y year, M month, d day, H hour, m minute, s second, S millis, D day
// of year, w week), runs of one letter give the width, 'quoted' text is literal.
class TimeBasedPartitioner : public Partitioner {
 public:
  TimeBasedPartitioner(std::string format, int64_t duration_ms, std::string zone, std::string locale)
      : format_(std::move(format)), duration_ms_(duration_ms), timezone_(std::move(zone)), locale_(std::move(locale)) {
    time_based_ = true;
    (void)calendar();  // checks the time zone now
  }

  std::string encode(const Record& r, int64_t now_ms) const override {
    int64_t ts = timestamp(r, now_ms);
    auto cal = calendar();
    UErrorCode err = U_ZERO_ERROR;
    ucal_setMillis(cal.get(), static_cast<UDate>(ts), &err);
    int64_t offset = ucal_get(cal.get(), UCAL_ZONE_OFFSET, &err) + ucal_get(cal.get(), UCAL_DST_OFFSET, &err);
    // Floor in local time, as TimeBasedPartitioner.getPartition does.
    int64_t local = ts + offset;
    int64_t floored = local - ((local % duration_ms_) + duration_ms_) % duration_ms_;
    ucal_setMillis(cal.get(), static_cast<UDate>(floored - offset), &err);
    return format(cal.get());
  }

 private:
  std::unique_ptr<UCalendar, UCalDeleter> calendar() const {
    std::u16string zone(timezone_.begin(), timezone_.end());
    UErrorCode err = U_ZERO_ERROR;
    std::unique_ptr<UCalendar, UCalDeleter> cal(
        ucal_open(zone.data(), static_cast<int32_t>(zone.size()), locale_.c_str(), UCAL_GREGORIAN, &err));
    if (U_FAILURE(err) || !cal) throw ConfigError("timezone", fmt::format("cannot use time zone '{}'", timezone_));
    // ICU answers "Etc/Unknown" (GMT) for a zone it does not know.
    UChar canon[64];
    err = U_ZERO_ERROR;
    int32_t n = ucal_getTimeZoneID(cal.get(), canon, 64, &err);
    std::string got(canon, canon + std::max(0, n));
    if (got == "Etc/Unknown")
      throw ConfigError("timezone", fmt::format("unknown time zone '{}': use an ID such as UTC or Europe/Paris", timezone_));
    return cal;
  }

  std::string format(UCalendar* cal) const {
    std::string out;
    UErrorCode err = U_ZERO_ERROR;
    for (size_t i = 0; i < format_.size();) {
      char c = format_[i];
      if (c == '\'') {
        size_t end = format_.find('\'', i + 1);
        if (end == std::string::npos) end = format_.size();
        if (end == i + 1) out += '\'';
        else out += format_.substr(i + 1, end - i - 1);
        i = end + 1;
        continue;
      }
      if (!std::isalpha(static_cast<unsigned char>(c))) {
        out += c;
        ++i;
        continue;
      }
      size_t run = 1;
      while (i + run < format_.size() && format_[i + run] == c) ++run;
      int64_t v = 0;
      switch (c) {
        case 'y': case 'Y': case 'x': v = ucal_get(cal, UCAL_YEAR, &err); break;
        case 'M': v = ucal_get(cal, UCAL_MONTH, &err) + 1; break;
        case 'd': v = ucal_get(cal, UCAL_DATE, &err); break;
        case 'H': v = ucal_get(cal, UCAL_HOUR_OF_DAY, &err); break;
        case 'm': v = ucal_get(cal, UCAL_MINUTE, &err); break;
        case 's': v = ucal_get(cal, UCAL_SECOND, &err); break;
        case 'S': v = ucal_get(cal, UCAL_MILLISECOND, &err); break;
        case 'D': v = ucal_get(cal, UCAL_DAY_OF_YEAR, &err); break;
        case 'w': v = ucal_get(cal, UCAL_WEEK_OF_YEAR, &err); break;
        default:
          throw ConfigError("path.format", fmt::format("path.format letter '{}' is not supported by connectrun (use y, M, "
                                                       "d, H, m, s, S, D, w and 'quoted' text)", c));
      }
      std::string digits = std::to_string(v);
      // Joda prints a two-letter year as its last two digits.
      if ((c == 'y' || c == 'Y' || c == 'x') && run == 2) digits = digits.substr(digits.size() >= 2 ? digits.size() - 2 : 0);
      if (digits.size() < run) digits.insert(0, run - digits.size(), '0');
      out += digits;
      i += run;
    }
    return out;
  }

  std::string format_;
  int64_t duration_ms_;
  std::string timezone_;
  std::string locale_;
};

}  // namespace

int64_t Partitioner::timestamp(const Record& r, int64_t now_ms) const {
  switch (extractor_) {
    case Extractor::Wallclock:
      return now_ms;
    case Extractor::Record:
      if (!r.timestamp)
        throw DataException("the record has no timestamp (timestamp.extractor=Record): use Wallclock or RecordField");
      return *r.timestamp;
    case Extractor::RecordField: {
      const Value* v = field_of(r, timestamp_field_);
      if (!v || v->is_null())
        throw DataException(fmt::format("the value has no field '{}' (timestamp.field)", timestamp_field_));
      if (auto* t = v->get_if<Timestamp>()) return t->millis;
      if (auto* l = v->get_if<int64_t>()) return *l;
      if (auto* i = v->get_if<int32_t>()) return *i;
      throw DataException(fmt::format("field '{}' (timestamp.field) is a {}: connectrun reads epoch milliseconds (int64) "
                                      "or a Timestamp", timestamp_field_, v->java_class()));
    }
  }
  return now_ms;
}

std::vector<std::string> partitioner_names() {
  std::vector<std::string> out;
  for (const char* n : {"DefaultPartitioner", "FieldPartitioner", "TimeBasedPartitioner", "DailyPartitioner",
                        "HourlyPartitioner"}) {
    out.push_back(std::string(kPkg) + n);
    out.push_back(n);
  }
  return out;
}

void define_partitioner_keys(config::ConfigSpec& spec) {
  spec.define({.name = "partitioner.class", .type = KeyType::Class,
               .default_value = config::ConfigValue{std::string(kPkg) + "DefaultPartitioner"},
               .doc = "Where objects go: DefaultPartitioner (partition=<p>), FieldPartitioner (<field>=<value> of "
                      "partition.field.name), TimeBasedPartitioner (path.format), DailyPartitioner, HourlyPartitioner. "
                      "Confluent's class names (io.confluent.connect.storage.partitioner.X) or the short names.",
               .validator = config::validators::one_of(partitioner_names())});
  spec.define({.name = "partition.field.name", .type = KeyType::List, .default_value = config::ConfigValue{},
               .doc = "FieldPartitioner: the value fields (comma-separated) that name the directory."});
  spec.define({.name = "path.format", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
               .doc = "TimeBasedPartitioner: Joda-Time pattern of the directories, e.g. "
                      "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH."});
  spec.define({.name = "partition.duration.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{-1}},
               .doc = "TimeBasedPartitioner: the length of one time partition in milliseconds."});
  spec.define({.name = "locale", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
               .doc = "Time-based partitioners: the locale of path.format (required, as in Confluent's), e.g. en-US."});
  spec.define({.name = "timezone", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
               .doc = "Time-based partitioners: the time zone of path.format (required), e.g. UTC or Europe/Paris."});
  spec.define({.name = "timestamp.extractor", .type = KeyType::String, .default_value = config::ConfigValue{std::string("Wallclock")},
               .doc = "The time of a record for time-based partitioners and rotate.interval.ms: Wallclock (when it is "
                      "written; not exactly-once), Record (the record's timestamp), RecordField (timestamp.field).",
               .validator = config::validators::one_of({"Wallclock", "Record", "RecordField"})});
  spec.define({.name = "timestamp.field", .type = KeyType::String, .default_value = config::ConfigValue{std::string("timestamp")},
               .doc = "RecordField: the value field holding the time (epoch milliseconds or a Timestamp)."});
}

std::unique_ptr<Partitioner> make_partitioner(const config::ConfigValues& cfg) {
  std::string cls = short_name(cfg.get_string("partitioner.class"));
  std::string extractor = cfg.get_string("timestamp.extractor");
  std::unique_ptr<Partitioner> p;
  if (cls == "DefaultPartitioner") {
    p = std::make_unique<DefaultPartitioner>();
  } else if (cls == "FieldPartitioner") {
    auto fields = cfg.get_list("partition.field.name");
    if (fields.empty()) throw ConfigError("partition.field.name", "FieldPartitioner needs partition.field.name");
    p = std::make_unique<FieldPartitioner>(fields, cfg.get_string("directory.delim"));
  } else {
    std::string format = cfg.get_string("path.format");
    int64_t duration = cfg.get_long("partition.duration.ms");
    if (cls == "DailyPartitioner") {
      format = "'year'=YYYY/'month'=MM/'day'=dd";
      duration = 24LL * 3600 * 1000;
    } else if (cls == "HourlyPartitioner") {
      format = "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH";
      duration = 3600LL * 1000;
    } else {
      if (format.empty()) throw ConfigError("path.format", "TimeBasedPartitioner needs path.format");
      if (duration <= 0) throw ConfigError("partition.duration.ms", "TimeBasedPartitioner needs partition.duration.ms > 0");
    }
    if (cfg.get_string("locale").empty())
      throw ConfigError("locale", cls + " needs locale (e.g. en-US), as Confluent's does");
    if (cfg.get_string("timezone").empty())
      throw ConfigError("timezone", cls + " needs timezone (e.g. UTC), as Confluent's does");
    std::string locale = cfg.get_string("locale");
    std::replace(locale.begin(), locale.end(), '-', '_');
    p = std::make_unique<TimeBasedPartitioner>(format, duration, cfg.get_string("timezone"), locale);
  }
  p->extractor_ = extractor == "Record" ? Extractor::Record
                  : extractor == "RecordField" ? Extractor::RecordField : Extractor::Wallclock;
  p->timestamp_field_ = cfg.get_string("timestamp.field");
  return p;
}

}  // namespace connectrun::s3
