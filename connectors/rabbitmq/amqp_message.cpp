#include "connectors/rabbitmq/amqp_message.h"

#include <fmt/format.h>
#include <simdjson.h>

#include "connectors/rabbitmq/amqp_connection.h"

namespace connectrun::rabbitmq {

namespace {

constexpr std::string_view kNs = "com.github.jcustenborder.kafka.connect.rabbitmq.";

SchemaPtr optional_string() { return schemas::string(true); }

SchemaPtr envelope_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name(std::string(kNs) + "Envelope")
                                 .field("deliveryTag", schemas::int64())
                                 .field("isRedeliver", schemas::boolean())
                                 .field("exchange", optional_string())
                                 .field("routingKey", optional_string())
                                 .build();
  return s;
}

// HeaderValue: a `type` naming the one field that holds the value.
SchemaPtr header_value_schema() {
  static const SchemaPtr s = [] {
    SchemaBuilder b = SchemaBuilder::structure();
    b.name(std::string(kNs) + "BasicProperties.HeaderValue");
    b.field("type", schemas::string());
    b.field("timestamp", schemas::timestamp().optional().build());
    // Kafka's Schema.Type order, without array, map and struct.
    for (Type t : {Type::Int8, Type::Int16, Type::Int32, Type::Int64, Type::Float32, Type::Float64, Type::Boolean,
                   Type::String, Type::Bytes})
      b.field(std::string(type_name(t)), schemas::of_type(t, true));
    return b.build();
  }();
  return s;
}

SchemaPtr basic_properties_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name(std::string(kNs) + "BasicProperties")
                                 .field("contentType", optional_string())
                                 .field("contentEncoding", optional_string())
                                 .field("headers", SchemaBuilder::map(schemas::string(), header_value_schema()).build())
                                 .field("deliveryMode", schemas::int32(true))
                                 .field("priority", schemas::int32(true))
                                 .field("correlationId", optional_string())
                                 .field("replyTo", optional_string())
                                 .field("expiration", optional_string())
                                 .field("messageId", optional_string())
                                 .field("timestamp", schemas::timestamp().optional().build())
                                 .field("type", optional_string())
                                 .field("userId", optional_string())
                                 .field("appId", optional_string())
                                 .build();
  return s;
}

// A header value: the HeaderValue field it goes in, and the value with its schema.
struct Typed {
  std::string field;  // "string", "int32", … "timestamp"
  SchemaPtr schema;
  Value value;
};

Typed typed(std::string_view name, const amqp_field_value_t& f) {
  switch (f.kind) {
    case AMQP_FIELD_KIND_BOOLEAN: return {"boolean", schemas::boolean(), Value(f.value.boolean != 0)};
    case AMQP_FIELD_KIND_I8: return {"int8", schemas::int8(), Value(f.value.i8)};
    case AMQP_FIELD_KIND_U8: return {"int16", schemas::int16(), Value(static_cast<int16_t>(f.value.u8))};
    case AMQP_FIELD_KIND_I16: return {"int16", schemas::int16(), Value(f.value.i16)};
    case AMQP_FIELD_KIND_U16: return {"int32", schemas::int32(), Value(static_cast<int32_t>(f.value.u16))};
    case AMQP_FIELD_KIND_I32: return {"int32", schemas::int32(), Value(f.value.i32)};
    case AMQP_FIELD_KIND_U32: return {"int64", schemas::int64(), Value(static_cast<int64_t>(f.value.u32))};
    case AMQP_FIELD_KIND_I64: return {"int64", schemas::int64(), Value(f.value.i64)};
    case AMQP_FIELD_KIND_U64:
      if (f.value.u64 > static_cast<uint64_t>(INT64_MAX)) break;
      return {"int64", schemas::int64(), Value(static_cast<int64_t>(f.value.u64))};
    case AMQP_FIELD_KIND_F32: return {"float32", schemas::float32(), Value(f.value.f32)};
    case AMQP_FIELD_KIND_F64: return {"float64", schemas::float64(), Value(f.value.f64)};
    case AMQP_FIELD_KIND_TIMESTAMP:
      return {"timestamp", schemas::timestamp().build(), Value(Timestamp{static_cast<int64_t>(f.value.u64) * 1000})};
    case AMQP_FIELD_KIND_UTF8:
    case AMQP_FIELD_KIND_BYTES: {
      // Long strings ('S') are text for every client we know of; ones that
      // are not valid UTF-8 stay bytes rather than being mangled.
      std::string_view v = view(f.value.bytes);
      if (f.kind == AMQP_FIELD_KIND_UTF8 && simdjson::validate_utf8(v.data(), v.size()))
        return {"string", schemas::string(), Value(std::string(v))};
      return {"bytes", schemas::bytes(), Value(Bytes{std::string(v)})};
    }
    default:
      break;
  }
  const char* what = f.kind == AMQP_FIELD_KIND_TABLE ? "a nested table" : f.kind == AMQP_FIELD_KIND_ARRAY ? "an array"
                   : f.kind == AMQP_FIELD_KIND_DECIMAL ? "a decimal" : f.kind == AMQP_FIELD_KIND_VOID ? "void (no value)"
                   : f.kind == AMQP_FIELD_KIND_U64 ? "an unsigned 64-bit number past 2^63-1" : "of an unknown kind";
  throw DataException(fmt::format("header '{}' is {} ('{}'), which has no HeaderValue field", name, what,
                                  static_cast<char>(f.kind)));
}

Value optional_text(const amqp_basic_properties_t& p, amqp_flags_t flag, amqp_bytes_t b) {
  if (!(p._flags & flag)) return Value();
  return Value(to_string(b));
}

}  // namespace

SchemaPtr message_key_schema() {
  static const SchemaPtr s =
      SchemaBuilder::structure().name(std::string(kNs) + "MessageKey").field("messageId", optional_string()).build();
  return s;
}

SchemaPtr message_value_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name(std::string(kNs) + "Message")
                                 .field("consumerTag", schemas::string())
                                 .field("envelope", envelope_schema())
                                 .field("basicProperties", basic_properties_schema())
                                 .field("body", schemas::bytes())
                                 .build();
  return s;
}

ConvertedMessage convert_delivery(const amqp_envelope_t& e) {
  ConvertedMessage out;
  const amqp_basic_properties_t& p = e.message.properties;

  MapEntries header_map;
  if (p._flags & AMQP_BASIC_HEADERS_FLAG) {
    header_map.reserve(static_cast<size_t>(p.headers.num_entries));
    for (int i = 0; i < p.headers.num_entries; ++i) {
      const amqp_table_entry_t& entry = p.headers.entries[i];
      const std::string name = to_string(entry.key);
      Typed t = typed(name, entry.value);
      auto hv = StructValue::make(header_value_schema());
      hv->put("type", Value(t.field));
      hv->put(t.field, t.value);
      header_map.emplace_back(Value(name), Value(std::move(hv)));
      out.headers.push_back(Header{name, t.schema, std::move(t.value)});
    }
  }

  auto props = StructValue::make(basic_properties_schema());
  props->put("contentType", optional_text(p, AMQP_BASIC_CONTENT_TYPE_FLAG, p.content_type));
  props->put("contentEncoding", optional_text(p, AMQP_BASIC_CONTENT_ENCODING_FLAG, p.content_encoding));
  props->put("headers", Value(std::move(header_map)));
  if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) props->put("deliveryMode", Value(static_cast<int32_t>(p.delivery_mode)));
  if (p._flags & AMQP_BASIC_PRIORITY_FLAG) props->put("priority", Value(static_cast<int32_t>(p.priority)));
  props->put("correlationId", optional_text(p, AMQP_BASIC_CORRELATION_ID_FLAG, p.correlation_id));
  props->put("replyTo", optional_text(p, AMQP_BASIC_REPLY_TO_FLAG, p.reply_to));
  props->put("expiration", optional_text(p, AMQP_BASIC_EXPIRATION_FLAG, p.expiration));
  Value message_id = optional_text(p, AMQP_BASIC_MESSAGE_ID_FLAG, p.message_id);
  props->put("messageId", message_id);
  if (p._flags & AMQP_BASIC_TIMESTAMP_FLAG) {
    // AMQP timestamps are seconds; Java's Date (and Kafka) count milliseconds.
    out.timestamp = static_cast<int64_t>(p.timestamp) * 1000;
    props->put("timestamp", Value(Timestamp{*out.timestamp}));
  }
  props->put("type", optional_text(p, AMQP_BASIC_TYPE_FLAG, p.type));
  props->put("userId", optional_text(p, AMQP_BASIC_USER_ID_FLAG, p.user_id));
  props->put("appId", optional_text(p, AMQP_BASIC_APP_ID_FLAG, p.app_id));

  auto env = StructValue::make(envelope_schema());
  env->put("deliveryTag", Value(static_cast<int64_t>(e.delivery_tag)));
  env->put("isRedeliver", Value(e.redelivered != 0));
  env->put("exchange", Value(to_string(e.exchange)));
  env->put("routingKey", Value(to_string(e.routing_key)));

  auto msg = StructValue::make(message_value_schema());
  msg->put("consumerTag", Value(to_string(e.consumer_tag)));
  msg->put("envelope", Value(std::move(env)));
  msg->put("basicProperties", Value(std::move(props)));
  msg->put("body", Value(Bytes{to_string(e.message.body)}));
  out.value = Value(std::move(msg));

  auto key = StructValue::make(message_key_schema());
  key->put("messageId", std::move(message_id));
  out.key = Value(std::move(key));
  return out;
}

std::optional<amqp_field_value_t> header_field(const Value& value, const SchemaPtr& schema) {
  amqp_field_value_t f{};
  auto bytes_of = [](const std::string& s) { return amqp_bytes_t{s.size(), const_cast<char*>(s.data())}; };
  if (schema && schemas::is_logical(*schema, schemas::kTimestampName) && value.is<Timestamp>()) {
    f.kind = AMQP_FIELD_KIND_TIMESTAMP;
    f.value.u64 = static_cast<uint64_t>(value.as<Timestamp>().millis / 1000);
    return f;
  }
  if (auto* s = value.get_if<std::string>()) { f.kind = AMQP_FIELD_KIND_UTF8; f.value.bytes = bytes_of(*s); return f; }
  if (auto* b = value.get_if<Bytes>()) { f.kind = AMQP_FIELD_KIND_BYTES; f.value.bytes = bytes_of(b->data); return f; }
  if (auto* v = value.get_if<bool>()) { f.kind = AMQP_FIELD_KIND_BOOLEAN; f.value.boolean = *v; return f; }
  if (auto* v = value.get_if<int8_t>()) { f.kind = AMQP_FIELD_KIND_I8; f.value.i8 = *v; return f; }
  if (auto* v = value.get_if<int16_t>()) { f.kind = AMQP_FIELD_KIND_I16; f.value.i16 = *v; return f; }
  if (auto* v = value.get_if<int32_t>()) { f.kind = AMQP_FIELD_KIND_I32; f.value.i32 = *v; return f; }
  if (auto* v = value.get_if<int64_t>()) { f.kind = AMQP_FIELD_KIND_I64; f.value.i64 = *v; return f; }
  if (auto* v = value.get_if<float>()) { f.kind = AMQP_FIELD_KIND_F32; f.value.f32 = *v; return f; }
  if (auto* v = value.get_if<double>()) { f.kind = AMQP_FIELD_KIND_F64; f.value.f64 = *v; return f; }
  return std::nullopt;
}

}  // namespace connectrun::rabbitmq
