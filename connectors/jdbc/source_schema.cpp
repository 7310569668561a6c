#include "connectors/jdbc/source_schema.h"

#include <fmt/format.h>

namespace connectrun::jdbc {

namespace {

SchemaPtr numeric_schema(const Column& c, NumericMapping m, bool optional) {
  const int p = c.precision, s = c.scale;
  auto ints = [&]() -> SchemaPtr {
    if (p > 9) return schemas::int64(optional);
    if (p > 4) return schemas::int32(optional);
    if (p > 2) return schemas::int16(optional);
    return schemas::int8(optional);
  };
  if (p > 0 && p < 19) {
    switch (m) {
      case NumericMapping::None: break;
      case NumericMapping::PrecisionOnly:
        if (s == 0) return ints();
        break;
      case NumericMapping::BestFit:
        if (s < 1 && s >= -84) return ints();
        if (s > 0) return schemas::float64(optional);
        break;
      case NumericMapping::BestFitEagerDouble:
        if (s < 1 && s >= -84) return ints();
        if (s > 0) return schemas::float64(optional);
        break;
    }
  } else if (m == NumericMapping::BestFitEagerDouble && s > 0) {
    return schemas::float64(optional);
  }
  auto b = schemas::decimal(s);
  b.parameter("connect.decimal.precision", std::to_string(p));
  if (optional) b.optional();
  return b.build();
}

}  // namespace

SourceShape source_schema(const std::vector<Column>& columns, const std::string& name, NumericMapping numeric) {
  SourceShape out;
  auto b = SchemaBuilder::structure();
  if (!name.empty()) b.name(name);
  for (size_t i = 0; i < columns.size(); ++i) {
    const auto& c = columns[i];
    const bool opt = c.nullable;
    SchemaPtr fs;
    switch (c.kind) {
      case ColKind::Boolean: fs = schemas::boolean(opt); break;
      case ColKind::Int8: fs = schemas::int8(opt); break;
      case ColKind::Int16: fs = schemas::int16(opt); break;
      case ColKind::Int32: fs = schemas::int32(opt); break;
      case ColKind::Int64: fs = schemas::int64(opt); break;
      case ColKind::Float32: fs = schemas::float32(opt); break;
      case ColKind::Float64: fs = schemas::float64(opt); break;
      case ColKind::Decimal: fs = numeric_schema(c, numeric, opt); break;
      case ColKind::String: fs = schemas::string(opt); break;
      case ColKind::Bytes: fs = schemas::bytes(opt); break;
      case ColKind::Date: { auto x = schemas::date(); if (opt) x.optional(); fs = x.build(); break; }
      case ColKind::Time: { auto x = schemas::time(); if (opt) x.optional(); fs = x.build(); break; }
      case ColKind::Timestamp: { auto x = schemas::timestamp(); if (opt) x.optional(); fs = x.build(); break; }
      case ColKind::Unsupported: out.dropped.push_back(fmt::format("{} ({})", c.name, c.db_type)); continue;
    }
    b.field(c.name, fs);
    out.keep.push_back(static_cast<int>(i));
  }
  out.schema = b.build();
  return out;
}

Value fit_value(Value v, const Schema& field) {
  auto* d = v.get_if<Decimal>();
  if (!d || field.name) return v;
  auto text = d->to_string();
  switch (field.type) {
    case Type::Int8: return Value(static_cast<int8_t>(std::stoll(text)));
    case Type::Int16: return Value(static_cast<int16_t>(std::stoll(text)));
    case Type::Int32: return Value(static_cast<int32_t>(std::stoll(text)));
    case Type::Int64: return Value(static_cast<int64_t>(std::stoll(text)));
    case Type::Float64: return Value(std::stod(text));
    default: return v;
  }
}

}  // namespace connectrun::jdbc
