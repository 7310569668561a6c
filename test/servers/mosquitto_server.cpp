#include "servers/mosquitto_server.h"

#include <stdexcept>

#include <fmt/format.h>

namespace testsupport {

MosquittoServer::MosquittoServer(const std::string& user, const std::string& password,
                                 std::optional<MosquittoTls> tls) {
  auth_ = "allow_anonymous true\n";
  if (!user.empty()) {
    int status = 0;
    shell(fmt::format("mosquitto_passwd -c -b {} {} {} 2>&1", dir_ / "passwd", user, password), &status);
    if (status != 0) throw std::runtime_error("mosquitto_passwd failed");
    auth_ = fmt::format("allow_anonymous false\npassword_file {}\n", dir_ / "passwd");
  }
  port_ = free_local_port();
  if (tls) {
    tls_port_ = free_local_port();
    tls_conf_ = fmt::format("listener {} 127.0.0.1\ncafile {}\ncertfile {}\nkeyfile {}\nrequire_certificate {}\n",
                            tls_port_, tls->ca_file, tls->cert_file, tls->key_file,
                            tls->require_certificate ? "true" : "false");
  }
  start();
}

void MosquittoServer::start() {
  // The config names TestServer's port, which it picks: a shell writes it first.
  const std::string conf = fmt::format("per_listener_settings false\nlistener {} 127.0.0.1\n", port_) +
                           "listener {port} 127.0.0.1\n" + auth_ +
                           fmt::format("persistence true\npersistence_location {}/\n", dir_.path()) +
                           "max_queued_messages 0\nuser root\nlog_dest stdout\n" + tls_conf_;
  server_ = std::make_unique<TestServer>(TestServerOptions{
      .name = "mosquitto",
      .command = {"sh", "-c", "printf '%s' \"$0\" > {dir}/mosquitto.conf && exec mosquitto -c {dir}/mosquitto.conf",
                  conf},
      .start_timeout = std::chrono::seconds(20)});
}

std::string MosquittoServer::uri() const { return fmt::format("tcp://127.0.0.1:{}", port_); }

std::string MosquittoServer::tls_uri(const std::string& host) const {
  return fmt::format("ssl://{}:{}", host, tls_port_);
}

}  // namespace testsupport
