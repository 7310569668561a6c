// jcustenborder's MessageConverter: an AMQP delivery as a Kafka Connect
// record — the key Struct MessageKey {messageId}, the value Struct Message
// {consumerTag, envelope, basicProperties, body} with the same schema names
// and fields, the timestamp from the message's timestamp property — plus the
// message headers as record headers.
#pragma once

#include <amqp.h>

#include <optional>
#include <string>
#include <vector>

#include "data/value.h"

namespace connectrun::rabbitmq {

SchemaPtr message_key_schema();    // com.github.jcustenborder.kafka.connect.rabbitmq.MessageKey
SchemaPtr message_value_schema();  // com.github.jcustenborder.kafka.connect.rabbitmq.Message

struct ConvertedMessage {
  Value key;
  Value value;
  std::vector<Header> headers;
  std::optional<int64_t> timestamp;  // ms; from the timestamp property when set
};

// Throws DataException for what cannot become a record: a header whose value
// is a nested table, an array, a decimal, void, or an unsigned 64-bit number
// past int64 (the Java converter cannot map those either).
ConvertedMessage convert_delivery(const amqp_envelope_t& envelope);

// A record header as an AMQP field value (for the sink), pointing into
// `value`'s storage, which must outlive it; nullopt for types with no AMQP
// counterpart (structs, arrays, maps), which are left out.
std::optional<amqp_field_value_t> header_field(const Value& value, const SchemaPtr& schema);

}  // namespace connectrun::rabbitmq
