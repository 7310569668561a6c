// A byte stream to an MQTT broker for MqttSource's own MQTT client: TCP, or
// TLS over it with OpenSSL (ssl:// URIs). The socket is non-blocking; reads
// and writes wait with poll(2) up to a deadline. Used from one thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <openssl/ssl.h>

namespace connectrun::mqtt {

struct TlsOptions {
  std::string ca_file, cert_file, key_file;  // blank ca_file: the system's CA certificates
  bool verify_peer = true, verify_hostname = true;
};

class Stream {
 public:
  using Clock = std::chrono::steady_clock;
  // Connects (and does the TLS handshake when `tls`) before `deadline`.
  // Throws ConnectError (retriable for network faults, not for a
  // certificate the TLS options refuse).
  Stream(const std::string& host, int port, const TlsOptions* tls, Clock::time_point deadline);
  ~Stream();
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;

  // Reads what is there (at least one byte) into buf, waiting until `deadline`;
  // returns 0 when nothing came by then. Throws ConnectError (retriable) when
  // the connection is closed or broken.
  size_t read_some(char* buf, size_t size, Clock::time_point deadline);
  // Writes all of it, waiting up to `timeout` for room. Throws ConnectError.
  void write_all(const std::string& data, std::chrono::milliseconds timeout);

 private:
  bool wait(short events, Clock::time_point deadline);  // false: deadline passed

  struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
  };
  struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
  };
  int fd_ = -1;
  std::string where_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace connectrun::mqtt
