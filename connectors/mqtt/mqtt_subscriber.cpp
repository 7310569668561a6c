#include "connectors/mqtt/mqtt_subscriber.h"

#include <fmt/format.h>

#include "plugin/connect_error.h"

namespace connectrun::mqtt {

namespace {

using namespace std::chrono_literals;

// MQTT 3.1.1 control packet types (the high nibble of the first byte).
enum : uint8_t {
  kConnect = 1, kConnack = 2, kPublish = 3, kPuback = 4, kPubrec = 5, kPubrel = 6, kPubcomp = 7,
  kSubscribe = 8, kSuback = 9, kPingreq = 12, kPingresp = 13, kDisconnect = 14
};
constexpr size_t kMaxPacket = 268435455;  // the largest remaining length MQTT can encode
constexpr auto kWriteTimeout = 30s;

void put_u16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v & 0xff));
}
void put_str(std::string& out, const std::string& s) {
  put_u16(out, static_cast<uint16_t>(s.size()));
  out += s;
}
uint16_t get_u16(const std::string& s, size_t at) {
  return static_cast<uint16_t>((static_cast<uint8_t>(s[at]) << 8) | static_cast<uint8_t>(s[at + 1]));
}

const char* connack_reason(int code) {
  switch (code) {
    case 1: return "unacceptable protocol version";
    case 2: return "client identifier rejected";
    case 3: return "server unavailable";
    case 4: return "bad user name or password";
    case 5: return "not authorised";
    default: return "unknown reason";
  }
}

}  // namespace

Subscriber::Subscriber(const SubscriberOptions& options) : opt_(options) {
  const auto deadline = Clock::now() + opt_.connect_timeout;
  const std::string where = fmt::format("{}:{} ({})", opt_.host, opt_.port, opt_.uri);
  stream_ = std::make_unique<Stream>(opt_.host, opt_.port, opt_.tls, deadline);

  std::string connect;
  put_str(connect, "MQTT");
  connect.push_back(4);  // protocol level: 3.1.1
  uint8_t flags = opt_.clean_session ? 0x02 : 0;
  if (!opt_.username.empty()) flags |= 0x80;
  if (!opt_.password.empty()) flags |= 0x40;
  connect.push_back(static_cast<char>(flags));
  put_u16(connect, static_cast<uint16_t>(opt_.keepalive_seconds));
  put_str(connect, opt_.client_id);
  if (!opt_.username.empty()) put_str(connect, opt_.username);
  if (!opt_.password.empty()) put_str(connect, opt_.password);
  send_packet(kConnect << 4, connect);

  uint8_t header = 0;
  std::string body;
  if (!read_packet(header, body, deadline))
    throw ConnectError(fmt::format("{}: no CONNACK within mqtt.connect.timeout.seconds ({} s)", where,
                                   opt_.connect_timeout.count()),
                       true);
  if (header >> 4 != kConnack || body.size() < 2)
    throw ConnectError(fmt::format("{}: answered CONNECT with packet type {}, not CONNACK (is it an MQTT broker?)",
                                   where, header >> 4),
                       true);
  if (const int code = static_cast<uint8_t>(body[1]); code != 0)
    throw ConnectError(fmt::format("{} refused the connection: {} (check mqtt.username / mqtt.password / "
                                   "mqtt.client.id)",
                                   where, connack_reason(code)),
                       code == 3);  // "server unavailable" may heal
  session_present_ = body[0] & 1;

  std::string subscribe;
  put_u16(subscribe, 1);
  for (const auto& f : opt_.filters) {
    put_str(subscribe, f);
    subscribe.push_back(static_cast<char>(opt_.qos));
  }
  send_packet(kSubscribe << 4 | 0x02, subscribe);
  for (;;) {
    if (!read_packet(header, body, deadline))
      throw ConnectError(fmt::format("{}: no SUBACK within mqtt.connect.timeout.seconds ({} s)", where,
                                     opt_.connect_timeout.count()),
                         true);
    if (header >> 4 == kSuback) break;
    handle(header, body, early_);  // a persistent session's queued messages may come before the SUBACK
  }
  for (size_t i = 2; i < body.size() && i - 2 < opt_.filters.size(); ++i)
    if (static_cast<uint8_t>(body[i]) == 0x80)
      throw ConnectError(fmt::format("{} refused the subscription to '{}' (not authorised for it?)", where,
                                     opt_.filters[i - 2]));
  last_sent_ = Clock::now();
}

Subscriber::~Subscriber() {
  try {
    flush();
    stream_->write_all(std::string{static_cast<char>(kDisconnect << 4), 0}, 1000ms);
  } catch (const std::exception&) {
    // Closing anyway: the broker treats the lost connection as a disconnect.
  }
}

void Subscriber::send_packet(uint8_t header, const std::string& body) {
  std::string out;
  out.push_back(static_cast<char>(header));
  size_t len = body.size();
  do {
    uint8_t b = len % 128;
    len /= 128;
    if (len) b |= 0x80;
    out.push_back(static_cast<char>(b));
  } while (len);
  out += body;
  stream_->write_all(out, kWriteTimeout);
  last_sent_ = Clock::now();
}

bool Subscriber::read_packet(uint8_t& header, std::string& body, Clock::time_point deadline) {
  for (;;) {
    // A whole packet in the buffer? header byte, 1-4 bytes of length, body.
    const size_t avail = inbuf_.size() - inpos_;
    if (avail >= 2) {
      size_t len = 0, shift = 0, i = 1;
      bool complete = false;
      for (; i < avail && i <= 4; ++i) {
        const auto b = static_cast<uint8_t>(inbuf_[inpos_ + i]);
        len |= static_cast<size_t>(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80)) {
          complete = true;
          break;
        }
      }
      if (!complete && i > 4) throw ConnectError("malformed MQTT packet length from the broker", true);
      if (complete && len > kMaxPacket) throw ConnectError("malformed MQTT packet length from the broker", true);
      if (complete && avail >= i + 1 + len) {
        header = static_cast<uint8_t>(inbuf_[inpos_]);
        body.assign(inbuf_, inpos_ + i + 1, len);
        inpos_ += i + 1 + len;
        return true;
      }
    }
    if (inpos_ > 0 && inpos_ * 2 >= inbuf_.size()) {
      inbuf_.erase(0, inpos_);
      inpos_ = 0;
    }
    const size_t old = inbuf_.size();
    inbuf_.resize(old + 65536);
    const size_t n = stream_->read_some(inbuf_.data() + old, 65536, deadline);
    inbuf_.resize(old + n);
    if (n == 0) return false;
  }
}

void Subscriber::keep_alive() {
  const auto now = Clock::now();
  const auto interval = std::chrono::seconds(opt_.keepalive_seconds);
  if (ping_outstanding_ && now - ping_sent_ > interval)
    throw ConnectError(fmt::format("{}:{} ({}) did not answer a keep-alive ping within {} s", opt_.host, opt_.port,
                                   opt_.uri, opt_.keepalive_seconds),
                       true);
  if (!ping_outstanding_ && now - last_sent_ >= interval / 2) {
    send_packet(kPingreq << 4, "");
    ping_outstanding_ = true;
    ping_sent_ = now;
  }
}

bool Subscriber::handle(uint8_t header, const std::string& body, std::vector<Incoming>& out) {
  switch (header >> 4) {
    case kPublish: {
      Incoming m;
      m.qos = (header >> 1) & 3;
      m.duplicate = header & 0x08;
      m.retained = header & 0x01;
      if (m.qos == 3 || body.size() < 2) throw ConnectError("malformed PUBLISH from the broker", true);
      const size_t tlen = get_u16(body, 0);
      const size_t at = 2 + tlen + (m.qos ? 2 : 0);
      if (body.size() < at) throw ConnectError("malformed PUBLISH from the broker", true);
      m.topic = body.substr(2, tlen);
      if (m.qos) m.packet_id = get_u16(body, 2 + tlen);
      m.payload = body.substr(at);
      out.push_back(std::move(m));
      return true;
    }
    case kPubrel:  // QoS 2, second half: the broker has our PUBREC; complete it
      if (body.size() >= 2) {
        outbuf_ += std::string{static_cast<char>(kPubcomp << 4), 2, body[0], body[1]};
        if (awaiting_rel_) --awaiting_rel_;
      }
      return false;
    case kPingresp:
      ping_outstanding_ = false;
      return false;
    default:  // nothing else is expected by a subscriber
      return false;
  }
}

void Subscriber::receive(std::vector<Incoming>& out, size_t max, Clock::time_point deadline) {
  flush();
  size_t taken = early_.size();
  for (auto& m : early_) out.push_back(std::move(m));
  early_.clear();
  while (taken < max) {
    keep_alive();
    // Wait in slices so pings go out on time; once something came, take only what is already here.
    const auto slice = taken ? Clock::now() : std::min(deadline, Clock::now() + 1s);
    uint8_t header = 0;
    std::string body;
    if (!read_packet(header, body, slice)) {
      if (taken || Clock::now() >= deadline) break;
      continue;
    }
    if (handle(header, body, out)) ++taken;
  }
  flush();
}

void Subscriber::ack(uint16_t packet_id, int qos) {
  if (qos == 0) return;
  outbuf_.push_back(static_cast<char>(qos == 1 ? kPuback << 4 : kPubrec << 4));
  outbuf_.push_back(2);
  put_u16(outbuf_, packet_id);
  if (qos == 2) ++awaiting_rel_;
}

void Subscriber::flush() {
  if (outbuf_.empty()) return;
  std::string out;
  out.swap(outbuf_);
  stream_->write_all(out, kWriteTimeout);
  last_sent_ = Clock::now();
}

}  // namespace connectrun::mqtt
