// A small AMQP client for the RabbitMQ tests, on rabbitmq-c (the library
// amqp-tools are built on): what amqp-publish/amqp-get cannot do — publish
// with a message id or a nested-table header, declare a queue with a
// dead-letter exchange, read a message's properties and headers.
#pragma once

#include <amqp.h>
#include <amqp_tcp_socket.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace testsupport {

class AmqpTestClient {
 public:
  explicit AmqpTestClient(int port) : conn_(amqp_new_connection()) {
    amqp_socket_t* socket = amqp_tcp_socket_new(conn_.get());
    if (amqp_socket_open(socket, "127.0.0.1", port) != AMQP_STATUS_OK)
      throw std::runtime_error(fmt::format("test client: cannot connect to 127.0.0.1:{}", port));
    check(amqp_login(conn_.get(), "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"),
          "login");
    amqp_channel_open(conn_.get(), 1);
    check(amqp_get_rpc_reply(conn_.get()), "channel.open");
  }
  ~AmqpTestClient() {
    amqp_channel_close(conn_.get(), 1, AMQP_REPLY_SUCCESS);
    amqp_connection_close(conn_.get(), AMQP_REPLY_SUCCESS);
  }

  // A durable queue; with `dead_letter_queue`, rejected messages go there
  // (through the default exchange).
  void declare_queue(const std::string& name, const std::string& dead_letter_queue = "") {
    amqp_table_entry_t args[2];
    amqp_table_t table = amqp_empty_table;
    if (!dead_letter_queue.empty()) {
      args[0].key = amqp_cstring_bytes("x-dead-letter-exchange");
      args[0].value.kind = AMQP_FIELD_KIND_UTF8;
      args[0].value.value.bytes = amqp_cstring_bytes("");
      args[1].key = amqp_cstring_bytes("x-dead-letter-routing-key");
      args[1].value.kind = AMQP_FIELD_KIND_UTF8;
      args[1].value.value.bytes = amqp_cstring_bytes(dead_letter_queue.c_str());
      table = amqp_table_t{2, args};
    }
    amqp_queue_declare(conn_.get(), 1, amqp_cstring_bytes(name.c_str()), 0, 1, 0, 0, table);
    check(amqp_get_rpc_reply(conn_.get()), "queue.declare " + name);
  }

  // A persistent message to the default exchange (routing key = queue).
  void publish(const std::string& queue, const std::string& body, const std::string& message_id = "",
               bool nested_table_header = false) {
    amqp_basic_properties_t props{};
    props._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    if (!message_id.empty()) {
      props._flags |= AMQP_BASIC_MESSAGE_ID_FLAG;
      props.message_id = amqp_cstring_bytes(message_id.c_str());
    }
    amqp_table_entry_t inner{amqp_cstring_bytes("a"), {}};
    inner.value.kind = AMQP_FIELD_KIND_I32;
    inner.value.value.i32 = 1;
    amqp_table_entry_t outer{amqp_cstring_bytes("nested"), {}};
    outer.value.kind = AMQP_FIELD_KIND_TABLE;
    outer.value.value.table = amqp_table_t{1, &inner};
    if (nested_table_header) {
      props._flags |= AMQP_BASIC_HEADERS_FLAG;
      props.headers = amqp_table_t{1, &outer};
    }
    int status = amqp_basic_publish(conn_.get(), 1, amqp_empty_bytes, amqp_cstring_bytes(queue.c_str()), 0, 0, &props,
                                    amqp_bytes_t{body.size(), const_cast<char*>(body.data())});
    if (status != AMQP_STATUS_OK) throw std::runtime_error(std::string("test client: publish: ") + amqp_error_string2(status));
  }

  struct Got {
    std::string body;
    std::optional<int> delivery_mode;
    std::map<std::string, std::string> string_headers;
  };
  // basic.get with auto-ack: the next message of `queue`, or nullopt when empty.
  std::optional<Got> get(const std::string& queue) {
    amqp_rpc_reply_t r = amqp_basic_get(conn_.get(), 1, amqp_cstring_bytes(queue.c_str()), /*no_ack=*/1);
    check(r, "basic.get " + queue);
    if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) return std::nullopt;
    amqp_message_t msg;
    check(amqp_read_message(conn_.get(), 1, &msg, 0), "read message");
    Got g;
    g.body.assign(static_cast<const char*>(msg.body.bytes), msg.body.len);
    const auto& p = msg.properties;
    if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) g.delivery_mode = p.delivery_mode;
    if (p._flags & AMQP_BASIC_HEADERS_FLAG)
      for (int i = 0; i < p.headers.num_entries; ++i) {
        const auto& e = p.headers.entries[i];
        if (e.value.kind == AMQP_FIELD_KIND_UTF8 || e.value.kind == AMQP_FIELD_KIND_BYTES)
          g.string_headers[std::string(static_cast<const char*>(e.key.bytes), e.key.len)] =
              std::string(static_cast<const char*>(e.value.value.bytes.bytes), e.value.value.bytes.len);
      }
    amqp_destroy_message(&msg);
    return g;
  }

  // Messages ready in `queue` (passive queue.declare).
  uint32_t ready(const std::string& queue) {
    auto* ok = amqp_queue_declare(conn_.get(), 1, amqp_cstring_bytes(queue.c_str()), 1, 0, 0, 0, amqp_empty_table);
    check(amqp_get_rpc_reply(conn_.get()), "queue.declare passive " + queue);
    return ok->message_count;
  }

 private:
  static void check(amqp_rpc_reply_t r, const std::string& what) {
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
      throw std::runtime_error(fmt::format("test client: {} failed (reply type {})", what, static_cast<int>(r.reply_type)));
  }
  struct Deleter {
    void operator()(amqp_connection_state_t c) const { amqp_destroy_connection(c); }
  };
  std::unique_ptr<amqp_connection_state_t_, Deleter> conn_;
};

}  // namespace testsupport
