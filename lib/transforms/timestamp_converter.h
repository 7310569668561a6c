// TimestampConverter: converts timestamps between string (SimpleDateFormat),
// unix (with precision), Date, Time and Timestamp, for the whole key/value or one
// field (Kafka's org.apache.kafka.connect.transforms.TimestampConverter$Key / $Value).
#pragma once

#include <optional>

#include "plugin/transform.h"
#include "transforms/date_format.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class TimestampConverter : public Transformation {
 public:
  enum class Kind { String, Unix, Date, Time, Timestamp };
  enum class Precision { Seconds, Millis, Micros, Nanos };

  explicit TimestampConverter(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  Value convert(const Value& v, std::optional<Kind> from) const;
  int64_t to_raw(const Value& v, Kind from) const;
  Value to_type(int64_t millis) const;
  SchemaPtr type_schema(bool optional) const;
  std::optional<StructValue> convert_struct(const StructValue* s, const SchemaPtr& updated) const;

  Side side_;
  std::string field_;
  Kind target_ = Kind::Unix;
  Precision precision_ = Precision::Millis;
  std::optional<JavaDateFormat> format_;
  bool replace_null_with_default_ = true;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
