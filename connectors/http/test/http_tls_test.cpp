// HttpSink over TLS against a cpp-httplib HTTPS server in the test process,
// with certificates made by the openssl CLI: verification on by default, a
// CA file, trust-all, and a client certificate (mutual TLS).
#include <catch2/catch.hpp>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>

#include "connectors/connectors.h"
#include "ops/log.h"
#include "plugin/registry.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;

namespace {

// A self-signed certificate for 127.0.0.1 (its own CA) in DIR/NAME.{crt,key}.
void make_cert(const TempDir& dir, const std::string& name) {
  int status = -1;
  std::string out = shell(fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                                      "-addext subjectAltName=IP:127.0.0.1 -keyout {0}.key -out {0}.crt 2>&1",
                                      dir / name),
                          &status);
  INFO(out);
  REQUIRE(status == 0);
}

class TlsServer {
 public:
  // With `client_ca`: only clients presenting a certificate it signed are served.
  TlsServer(const std::string& crt, const std::string& key, const char* client_ca = nullptr)
      : server_(crt.c_str(), key.c_str(), client_ca) {
    REQUIRE(server_.is_valid());
    server_.Post("/sink", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      bodies_.push_back(req.body);
      res.set_content("ok", "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TlsServer() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return fmt::format("https://127.0.0.1:{}/sink", port_); }
  std::vector<std::string> bodies() {
    std::lock_guard lock(mu_);
    return bodies_;
  }

 private:
  httplib::SSLServer server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::vector<std::string> bodies_;
};

// Sends one record "v" through a configured HttpSink task; "" when delivered, else the error.
std::string send_one(const std::map<std::string, std::string>& keys) {
  const PluginInfo* info = builtin_plugins().find("HttpSink", {PluginKind::Sink});
  config::RawConfig raw{{"http.authorization.type", {"none", {}}}, {"max.retries", {"0", {}}}};
  for (auto& [k, v] : keys) raw[k] = {v, {}};
  config::Problems problems;
  auto cfg = config::parse(info->spec, raw, "tls", problems);
  REQUIRE(problems.empty());
  auto task = info->make_sink();
  task->configure(cfg);
  SinkTaskContext ctx;
  std::atomic<bool> stopping{false};
  ctx.connector_name = "tls";
  ctx.log = make_logger("tls");
  ctx.stopping = &stopping;
  task->start(ctx);
  Record r;
  r.topic = "t";
  r.partition = 0;
  r.bus_offset = 0;
  r.value = Value(std::string("v"));
  std::vector<Record> batch{r};
  task->put(batch);
  try {
    task->pre_commit({{TopicPartition{"t", 0}, 1}});
  } catch (const ConnectError& e) {
    return std::string(e.retriable() ? "retriable: " : "fatal: ") + e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("HttpSink verifies the server certificate by default and takes a CA file and a client certificate", "[http][httpsink]") {
  TempDir dir;
  make_cert(dir, "server");
  make_cert(dir, "client");
  {
    TlsServer server(dir / "server.crt", dir / "server.key");
    // Verification is on: a self-signed certificate fails at once, not retried, naming the URL.
    CHECK_THAT(send_one({{"http.url", server.url()}}),
               Catch::StartsWith("fatal: POST " + server.url() + " failed: ") &&
                   Catch::Contains("certificate"));
    CHECK(send_one({{"http.url", server.url()}, {"http.ssl.ca.file", dir / "server.crt"}}) == "");
    CHECK(send_one({{"http.url", server.url()}, {"http.ssl.trust.all.certs", "true"}}) == "");
    CHECK(server.bodies() == std::vector<std::string>{"v", "v"});
  }
  {
    const std::string client_ca = dir / "client.crt";
    TlsServer server(dir / "server.crt", dir / "server.key", client_ca.c_str());
    CHECK(send_one({{"http.url", server.url()},
                    {"http.ssl.ca.file", dir / "server.crt"},
                    {"http.ssl.client.cert.file", dir / "client.crt"},
                    {"http.ssl.client.key.file", dir / "client.key"}}) == "");
    // Without the client certificate the handshake fails: a clear error naming the URL.
    CHECK_THAT(send_one({{"http.url", server.url()}, {"http.ssl.ca.file", dir / "server.crt"}}),
               Catch::Contains("POST " + server.url() + " failed: "));
    CHECK(server.bodies() == std::vector<std::string>{"v"});
  }
}
