#include "connectors/mqtt/mqtt_stream.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "plugin/connect_error.h"

namespace connectrun::mqtt {

namespace {

struct AddrInfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};

// The reasons OpenSSL queued for the last failure, oldest first.
std::string ssl_errors() {
  std::string out;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += out.empty() ? "" : "; ";
    out += buf;
  }
  return out.empty() ? std::string("no detail from OpenSSL") : out;
}

int remaining_ms(Stream::Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Stream::Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}

bool is_ip_address(const std::string& host) {
  in6_addr a6;
  in_addr a4;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1 || inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

}  // namespace

Stream::Stream(const std::string& host, int port, const TlsOptions* tls, Clock::time_point deadline)
    : where_(fmt::format("{}:{}", host, port)) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* raw = nullptr;
  if (int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw); rc != 0)
    throw ConnectError(fmt::format("cannot connect to {}: {}", where_, gai_strerror(rc)), true);
  std::unique_ptr<addrinfo, AddrInfoFree> addrs(raw);
  std::string why = "no address";
  for (addrinfo* a = addrs.get(); a && fd_ < 0; a = a->ai_next) {
    int fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    fd_ = fd;
    if (connect(fd_, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      why = std::strerror(errno);
    } else if (!wait(POLLOUT, deadline)) {
      why = "timed out";
    } else {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err == 0) break;
      why = std::strerror(err);
    }
    close(fd_);
    fd_ = -1;
  }
  if (fd_ < 0) throw ConnectError(fmt::format("cannot connect to {}: {}", where_, why), true);
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // acks and pings are small and wanted now
  if (!tls) return;

  try {
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_) throw ConnectError("cannot create a TLS context: " + ssl_errors());
    if (tls->verify_peer) {
      SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
      const bool ok = tls->ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx_.get()) == 1
                                           : SSL_CTX_load_verify_locations(ctx_.get(), tls->ca_file.c_str(), nullptr) == 1;
      if (!ok)
        throw ConnectError(fmt::format("cannot read the CA certificates '{}' (mqtt.ssl.ca.location): {}", tls->ca_file,
                                       ssl_errors()));
    }
    if (!tls->cert_file.empty()) {
      if (SSL_CTX_use_certificate_chain_file(ctx_.get(), tls->cert_file.c_str()) != 1)
        throw ConnectError(fmt::format("cannot read the client certificate '{}' (mqtt.ssl.certificate.location): {}",
                                       tls->cert_file, ssl_errors()));
      if (SSL_CTX_use_PrivateKey_file(ctx_.get(), tls->key_file.c_str(), SSL_FILETYPE_PEM) != 1)
        throw ConnectError(fmt::format("cannot read the private key '{}' (mqtt.ssl.key.location): {}", tls->key_file,
                                       ssl_errors()));
    }
    ssl_.reset(SSL_new(ctx_.get()));
    if (!ssl_) throw ConnectError("cannot create a TLS session: " + ssl_errors());
    SSL_set_fd(ssl_.get(), fd_);
    const bool ip = is_ip_address(host);
    if (!ip) SSL_set_tlsext_host_name(ssl_.get(), host.c_str());
    if (tls->verify_peer && tls->verify_hostname) {
      X509_VERIFY_PARAM* param = SSL_get0_param(ssl_.get());
      if (ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1
             : X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0) != 1)
        throw ConnectError(fmt::format("cannot check the broker's name '{}' in its certificate", host));
    }
    ERR_clear_error();
    for (;;) {
      int rc = SSL_connect(ssl_.get());
      if (rc == 1) break;
      int err = SSL_get_error(ssl_.get(), rc);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        if (!wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
          throw ConnectError(fmt::format("TLS handshake with {} timed out", where_), true);
        continue;
      }
      const long verify = SSL_get_verify_result(ssl_.get());
      if (verify != X509_V_OK)
        throw ConnectError(fmt::format("TLS handshake with {} failed: the broker's certificate was refused: {} (check "
                                       "mqtt.ssl.ca.location, mqtt.ssl.verify.hostname)",
                                       where_, X509_verify_cert_error_string(verify)));
      const std::string detail = err == SSL_ERROR_SYSCALL && errno ? std::strerror(errno) : ssl_errors();
      throw ConnectError(fmt::format("TLS handshake with {} failed: {} (is it a TLS listener?)", where_, detail), true);
    }
  } catch (...) {
    ssl_.reset();
    close(fd_);
    fd_ = -1;
    throw;
  }
}

Stream::~Stream() {
  if (ssl_) SSL_shutdown(ssl_.get());  // best effort close_notify; the socket is non-blocking
  ssl_.reset();
  if (fd_ >= 0) close(fd_);
}

bool Stream::wait(short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd_, events, 0};
    int rc = ::poll(&p, 1, remaining_ms(deadline));
    if (rc > 0) return true;
    if (rc == 0) return false;
    if (errno != EINTR) throw ConnectError(fmt::format("connection to {} broken: {}", where_, std::strerror(errno)), true);
  }
}

size_t Stream::read_some(char* buf, size_t size, Clock::time_point deadline) {
  for (;;) {
    if (ssl_) {
      ERR_clear_error();
      int rc = SSL_read(ssl_.get(), buf, static_cast<int>(std::min<size_t>(size, 1 << 30)));
      if (rc > 0) return static_cast<size_t>(rc);
      int err = SSL_get_error(ssl_.get(), rc);
      if (err == SSL_ERROR_ZERO_RETURN)
        throw ConnectError(fmt::format("the broker {} closed the connection", where_), true);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
        throw ConnectError(fmt::format("connection to {} broken: {}", where_,
                                       err == SSL_ERROR_SYSCALL ? (errno ? std::strerror(errno) : "closed")
                                                                : ssl_errors()),
                           true);
      if (!wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) return 0;
    } else {
      ssize_t n = recv(fd_, buf, size, 0);
      if (n > 0) return static_cast<size_t>(n);
      if (n == 0) throw ConnectError(fmt::format("the broker {} closed the connection", where_), true);
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK)
        throw ConnectError(fmt::format("connection to {} broken: {}", where_, std::strerror(errno)), true);
      if (!wait(POLLIN, deadline)) return 0;
    }
  }
}

void Stream::write_all(const std::string& data, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  size_t done = 0;
  while (done < data.size()) {
    const char* p = data.data() + done;
    const size_t left = data.size() - done;
    if (ssl_) {
      ERR_clear_error();
      int rc = SSL_write(ssl_.get(), p, static_cast<int>(std::min<size_t>(left, 1 << 30)));
      if (rc > 0) {
        done += static_cast<size_t>(rc);
        continue;
      }
      int err = SSL_get_error(ssl_.get(), rc);
      if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
        throw ConnectError(fmt::format("cannot write to {}: {}", where_,
                                       err == SSL_ERROR_SYSCALL ? (errno ? std::strerror(errno) : "closed")
                                                                : ssl_errors()),
                           true);
      if (!wait(err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline))
        throw ConnectError(fmt::format("cannot write to {}: timed out", where_), true);
    } else {
      ssize_t n = send(fd_, p, left, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        throw ConnectError(fmt::format("cannot write to {}: {}", where_, std::strerror(errno)), true);
      if (!wait(POLLOUT, deadline)) throw ConnectError(fmt::format("cannot write to {}: timed out", where_), true);
    }
  }
}

}  // namespace connectrun::mqtt
