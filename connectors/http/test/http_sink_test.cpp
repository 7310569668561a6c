// HttpSink driven directly as the engine drives it (put, pre_commit, flush),
// against real HTTP endpoints in the test process (http_test_server.h).
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "connectors/connectors.h"
#include "connectors/http/http_client.h"
#include "json/base64.h"
#include "ops/log.h"
#include "plugin/registry.h"
#include "http_test_server.h"

using namespace connectrun;
using namespace httptest;
using namespace std::chrono_literals;

namespace {

using Keys = std::map<std::string, std::string>;

config::ConfigValues parse_keys(const Keys& keys, config::Problems& problems) {
  const PluginInfo* info = builtin_plugins().find("HttpSink", {PluginKind::Sink});
  REQUIRE(info);
  config::RawConfig raw;
  for (auto& [k, v] : keys) raw[k] = {v, {}};
  return config::parse(info->spec, raw, "http", problems);
}

// The error configure() or the spec gives for `keys`, or "" when they are valid.
std::string config_error(const Keys& keys) {
  config::Problems problems;
  auto cfg = parse_keys(keys, problems);
  if (!problems.empty()) return problems.list().front().key + ": " + problems.list().front().message;
  try {
    builtin_plugins().find("HttpSink", {PluginKind::Sink})->make_sink()->configure(cfg);
  } catch (const config::ConfigError& e) {
    return e.key() + ": " + e.what();
  }
  return "";
}

struct Harness {
  std::unique_ptr<SinkTask> task;
  SinkTaskContext ctx;
  std::atomic<bool> stopping{false};
  bool tolerate;  // errors.tolerance=all
  std::mutex mu;
  std::vector<std::string> reports;  // what went to the error policy: "t-0@OFFSET: message"
  int64_t next = 0;                  // the next record's bus offset

  explicit Harness(Keys keys, bool tolerate_all = true) : tolerate(tolerate_all) {
    keys.try_emplace("http.authorization.type", "none");
    config::Problems problems;
    auto cfg = parse_keys(keys, problems);
    REQUIRE(problems.empty());
    task = builtin_plugins().find("HttpSink", {PluginKind::Sink})->make_sink();
    task->configure(cfg);
    ctx.connector_name = "http";
    ctx.log = make_logger("http");
    ctx.stopping = &stopping;
    ctx.errant_reporter = [this](const Record& r, const std::exception& e) {
      std::lock_guard lock(mu);
      reports.push_back(fmt::format("{}-{}@{}: {}", r.topic, r.partition.value_or(-1), r.bus_offset, e.what()));
      if (!tolerate) throw ConnectError(reports.back());
    };
    task->start(ctx);
  }
  ~Harness() { task->stop(); }

  void put(const std::vector<Value>& values) {
    std::vector<Record> batch;
    for (auto& v : values) {
      Record r;
      r.topic = "t";
      r.partition = 0;
      r.bus_offset = next++;
      r.value = v;
      r.is_source = false;
      batch.push_back(std::move(r));
    }
    task->put(batch);
  }
  void put_strings(const std::vector<std::string>& values) {
    std::vector<Value> v;
    for (auto& s : values) v.emplace_back(s);
    put(v);
  }
  // The position pre_commit returns for t-0 (-1: left out).
  int64_t commit() {
    auto out = task->pre_commit({{TopicPartition{"t", 0}, next}});
    auto it = out.find(TopicPartition{"t", 0});
    return it == out.end() ? -1 : it->second;
  }
};

std::vector<std::string> numbered(int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(fmt::format("v{}", i));
  return out;
}

}  // namespace

TEST_CASE("HttpSink sends one request per record or batches with prefix separator and suffix", "[http][httpsink]") {
  ScheduledServer server;
  {
    Harness h({{"http.url", server.url()}});
    h.put_strings({"a", "b", "c"});
    CHECK(h.commit() == 3);
    CHECK(server.bodies() == std::vector<std::string>{"a", "b", "c"});
    // No Content-Type unless configured (Aiven sends none either); not libcurl's form type.
    CHECK(server.received().at(0).content_type == "");
  }
  {
    Harness h({{"http.url", server.url("/default")}, {"batching.enabled", "true"}, {"batch.max.size", "2"}});
    h.put_strings({"a", "b", "c"});
    CHECK(h.commit() == 3);
  }
  {
    Harness h({{"http.url", server.url("/json")},
               {"batching.enabled", "true"},
               {"batch.max.size", "3"},
               {"batch.prefix", "["},
               {"batch.separator", ","},
               {"batch.suffix", "]"},
               {"http.headers.content.type", "application/json"}});
    h.put_strings(numbered(0, 7));
    CHECK(h.commit() == 7);
  }
  {
    Harness h({{"http.url", server.url("/bytes")}, {"batching.enabled", "true"}, {"batch.max.bytes", "8"},
               {"batch.separator", "|"}, {"batch.suffix", ""}});
    h.put_strings({"aaaa", "bbbb", "cccc", "dddd", "a-value-longer-than-8"});
    CHECK(h.commit() == 5);
  }
  {
    Harness h({{"http.url", server.url("/values")},
               {"http.authorization.type", "static"},
               {"http.headers.authorization", "Bearer static-secret"},
               {"http.headers.additional", "X-Test: yes,X-Other:1"}});
    MapEntries m;
    m.emplace_back(Value(std::string("k")), Value(int32_t{1}));
    h.put({Value(std::move(m)), Value(int64_t{42}), Value(Bytes{"raw"})});
    CHECK(h.commit() == 3);
  }
  auto got = server.received();
  std::vector<std::string> paths_and_bodies;
  for (auto& r : got) paths_and_bodies.push_back(r.path + " " + r.body);
  CHECK(paths_and_bodies == std::vector<std::string>{
                                "/sink a", "/sink b", "/sink c",               //
                                "/default a\nb\n", "/default c\n",             // Aiven's default "\n" separator and suffix
                                "/json [v0,v1,v2]", "/json [v3,v4,v5]", "/json [v6]",  //
                                "/bytes aaaa|bbbb", "/bytes cccc|dddd", "/bytes a-value-longer-than-8",
                                "/values {\"k\":1}", "/values 42", "/values raw"});
  REQUIRE(got.size() == 14);
  CHECK(got[5].content_type == "application/json");
  CHECK(got[11].authorization == "Bearer static-secret");
  CHECK(got[11].extra == "yes");
  CHECK(got[0].authorization == "");
}

TEST_CASE("HttpSink retries 429 after Retry-After and 500 with backoff and delivers each batch once in order", "[http][httpsink]") {
  ScheduledServer server;
  Harness h({{"http.url", server.url()}, {"batching.enabled", "true"}, {"max.retries", "3"},
             {"retry.backoff.ms", "20"}});
  server.schedule({{.status = 429, .body = "slow down", .retry_after = "1"}, {.status = 500, .body = "oops"}});
  h.put_strings({"a", "b"});
  const auto started = std::chrono::steady_clock::now();
  CHECK(h.commit() == 2);
  CHECK(std::chrono::steady_clock::now() - started >= 900ms);  // Retry-After: 1 was waited for
  h.put_strings({"c"});
  CHECK(h.commit() == 3);
  CHECK(server.bodies() == std::vector<std::string>{"a\nb\n", "a\nb\n", "a\nb\n", "c\n"});

  SECTION("retries used up: a retriable failure, the batch kept, and the position held until a 2xx") {
    server.schedule({{.status = 503}, {.status = 502}, {.status = 500}, {.status = 500}});
    h.put_strings({"d"});
    try {
      h.commit();
      FAIL("pre_commit did not throw");
    } catch (const ConnectError& e) {
      CHECK(e.retriable());
      CHECK_THAT(e.what(), Catch::Contains("POST " + server.url() + " answered HTTP 500") &&
                               Catch::Contains("after 3 retries"));
    }
    CHECK(server.bodies().size() == 8);
    CHECK(h.commit() == 4);  // the engine's retry: the same batch, once more, answered 200
    auto bodies = server.bodies();
    CHECK(std::vector<std::string>(bodies.begin() + 4, bodies.end()) ==
          std::vector<std::string>{"d\n", "d\n", "d\n", "d\n", "d\n"});
  }
}

TEST_CASE("HttpSink parses Retry-After as seconds or an HTTP date", "[http][httpsink]") {
  const long long now = 1445412470;  // 2015-10-21 07:27:50 UTC
  CHECK(http::parse_retry_after("120", now) == std::chrono::milliseconds(120000));
  CHECK(http::parse_retry_after(" 0 ", now) == std::chrono::milliseconds(0));
  CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == std::chrono::milliseconds(10000));
  CHECK(http::parse_retry_after("Wed, 21 Oct 2015 07:20:00 GMT", now) == std::chrono::milliseconds(0));
  CHECK_FALSE(http::parse_retry_after("soon", now).has_value());
  CHECK_FALSE(http::parse_retry_after("-5", now).has_value());
}

TEST_CASE("HttpSink retries a response slower than http.timeout and a server answering garbage or resetting", "[http][httpsink]") {
  {
    ScheduledServer server;
    server.schedule({{.status = 200, .delay = 2500ms}});
    Harness h({{"http.url", server.url()}, {"http.timeout", "1"}, {"retry.backoff.ms", "10"}});
    h.put_strings({"slow"});
    CHECK(h.commit() == 1);
    CHECK(server.bodies() == std::vector<std::string>{"slow", "slow"});  // timed out once, then answered at once
  }
  for (bool reset : {false, true}) {
    INFO((reset ? "connection reset" : "garbage"));
    GarbageServer garbage(reset);
    const std::string url = fmt::format("http://127.0.0.1:{}/sink", garbage.port());
    Harness h({{"http.url", url}, {"max.retries", "2"}, {"retry.backoff.ms", "10"}});
    h.put_strings({"x"});
    try {
      h.commit();
      FAIL("pre_commit did not throw");
    } catch (const ConnectError& e) {
      CHECK(e.retriable());
      CHECK_THAT(e.what(), Catch::Contains("POST " + url + " failed:") && Catch::Contains("after 2 retries"));
    }
    CHECK(garbage.connections() == 3);
  }
}

TEST_CASE("HttpSink down at start retries then fails naming the URL and the error", "[http][httpsink]") {
  const std::string url = fmt::format("http://127.0.0.1:{}/sink", closed_port());
  Harness h({{"http.url", url}, {"max.retries", "2"}, {"retry.backoff.ms", "10"}});
  h.put_strings({"x"});
  try {
    h.commit();
    FAIL("pre_commit did not throw");
  } catch (const ConnectError& e) {
    CHECK(e.retriable());
    CHECK_THAT(e.what(), Catch::Contains("POST " + url + " failed: ") && Catch::Contains("after 2 retries"));
  }
}

TEST_CASE("HttpSink sends the records of a batch answered 400 to the error policy with the status and body", "[http][httpsink]") {
  ScheduledServer server;
  {
    Harness h({{"http.url", server.url()}, {"batching.enabled", "true"}, {"batch.max.size", "2"}});
    server.schedule({{.status = 200}, {.status = 400, .body = "field x is missing"}});
    h.put_strings({"a", "b", "c", "d", "e"});
    CHECK(h.commit() == 5);  // the rejected batch counts as handled: its records are in the dead letter queue
    REQUIRE(h.reports.size() == 2);
    CHECK(h.reports[0] == "t-0@2: POST " + server.url() +
                              " answered HTTP 400 for a batch of 2 record(s); response body: field x is missing");
    CHECK_THAT(h.reports[1], Catch::StartsWith("t-0@3: "));
    CHECK(server.bodies() == std::vector<std::string>{"a\nb\n", "c\nd\n", "e\n"});  // a 400 is not retried
    // A null value (a tombstone) goes to the error policy without a request.
    h.put({Value()});
    CHECK(h.commit() == 6);
    REQUIRE(h.reports.size() == 3);
    CHECK_THAT(h.reports[2], Catch::Contains("t-0@5: the record value is null"));
  }
  {
    Harness h({{"http.url", server.url()}}, /*tolerate_all=*/false);
    server.schedule({{.status = 404, .body = "no such endpoint"}});
    h.put_strings({"a"});
    CHECK_THROWS_WITH(h.commit(), Catch::Contains("answered HTTP 404") && Catch::Contains("no such endpoint") &&
                                      Catch::Contains(server.url()));
  }
}

TEST_CASE("HttpSink fetches an OAuth2 token once and a new one when the server answers 401", "[http][httpsink]") {
  ScheduledServer server;
  {
    Harness h({{"http.url", server.url()},
               {"http.authorization.type", "oauth2"},
               {"oauth2.access.token.url", server.url("/token")},
               {"oauth2.client.id", "id"},
               {"oauth2.client.secret", "s3cret"},
               {"oauth2.client.scope", "write all"}});
    server.schedule({{.status = 200}, {.status = 200}, {.status = 401, .body = "expired"}});
    h.put_strings({"a", "b", "c"});
    CHECK(h.commit() == 3);
    auto got = server.received();
    REQUIRE(got.size() == 4);
    CHECK(got[0].authorization == "Bearer tok-1");
    CHECK(got[1].authorization == "Bearer tok-1");
    CHECK(got[2].authorization == "Bearer tok-1");  // answered 401
    CHECK(got[3].authorization == "Bearer tok-2");
    CHECK(got[3].body == "c");
    CHECK(server.token_requests() ==
          std::vector<std::string>{"Basic " + base64::encode("id:s3cret") + "|grant_type=client_credentials&scope=write+all",
                                   "Basic " + base64::encode("id:s3cret") + "|grant_type=client_credentials&scope=write+all"});
    CHECK(h.reports.empty());
  }
  {
    ScheduledServer server2;
    Harness h({{"http.url", server2.url()},
               {"http.authorization.type", "oauth2"},
               {"oauth2.access.token.url", server2.url("/token")},
               {"oauth2.client.id", "id"},
               {"oauth2.client.secret", "s&c"},
               {"oauth2.client.authorization.mode", "url"}});
    // A 401 that a new token does not cure goes to the error policy.
    server2.schedule({{.status = 401}, {.status = 401, .body = "still no"}});
    h.put_strings({"a"});
    CHECK(h.commit() == 1);
    CHECK(server2.token_requests() == std::vector<std::string>{"|grant_type=client_credentials&client_id=id&client_secret=s%26c",
                                                               "|grant_type=client_credentials&client_id=id&client_secret=s%26c"});
    REQUIRE(h.reports.size() == 1);
    CHECK_THAT(h.reports[0], Catch::Contains("answered HTTP 401") && Catch::Contains("still no"));
  }
}

TEST_CASE("HttpSink holds a lingering batch back from the commit until it is due", "[http][httpsink]") {
  ScheduledServer server;
  Harness h({{"http.url", server.url()}, {"batching.enabled", "true"}, {"batch.max.size", "10"},
             {"batch.linger.ms", "60000"}});
  h.put_strings({"a", "b", "c"});
  CHECK(h.commit() == 0);  // nothing sent: the position stays before the first buffered record
  CHECK(server.bodies().empty());
  h.put_strings(numbered(0, 8));
  CHECK(h.commit() == 10);  // full at 10: sent; the 11th waits
  CHECK(server.bodies().size() == 1);
  h.task->flush();
  CHECK(h.commit() == 11);
  CHECK(server.bodies() == std::vector<std::string>{"a\nb\nc\nv0\nv1\nv2\nv3\nv4\nv5\nv6\n", "v7\n"});
}

TEST_CASE("HttpSink refuses bad configuration naming the key", "[http][httpsink]") {
  const Keys base{{"http.url", "http://127.0.0.1:1/x"}, {"http.authorization.type", "none"}};
  auto with = [&](Keys extra) {
    Keys k = base;
    for (auto& [key, v] : extra) k[key] = v;
    return config_error(k);
  };
  CHECK(config_error(base) == "");
  CHECK_THAT(config_error({{"http.url", "http://x"}}), Catch::StartsWith("http.authorization.type"));
  CHECK_THAT(with({{"http.url", "ftp://host/x"}}), Catch::Contains("http.url: 'ftp://host/x' is not an http://"));
  CHECK_THAT(with({{"http.authorization.type", "basic"}}), Catch::StartsWith("http.authorization.type"));
  CHECK_THAT(with({{"http.authorization.type", "static"}}),
             Catch::Contains("http.headers.authorization: must be set when http.authorization.type = static"));
  CHECK_THAT(with({{"http.headers.authorization", "Bearer x"}}),
             Catch::Contains("http.headers.authorization: must not be set unless"));
  CHECK_THAT(with({{"http.authorization.type", "oauth2"}}),
             Catch::Contains("oauth2.access.token.url: must be set when http.authorization.type = oauth2"));
  CHECK_THAT(with({{"http.authorization.type", "oauth2"}, {"oauth2.access.token.url", "http://h/t"},
                   {"oauth2.client.id", "i"}}),
             Catch::Contains("oauth2.client.secret: must be set"));
  CHECK_THAT(with({{"http.headers.additional", "NoColon"}}),
             Catch::Contains("http.headers.additional: 'NoColon' is not header:value"));
  CHECK_THAT(with({{"http.headers.additional", "X-A:1,x-a:2"}}), Catch::Contains("header 'x-a' is given twice"));
  CHECK_THAT(with({{"http.headers.content.type", " "}}), Catch::Contains("http.headers.content.type: must not be blank"));
  CHECK_THAT(with({{"kafka.retry.backoff.ms", "100"}}),
             Catch::Contains("kafka.retry.backoff.ms: not supported by connectrun: kafka.retry.backoff.ms"));
  CHECK_THAT(with({{"max.outstanding.records", "10"}}), Catch::Contains("not supported by connectrun"));
  CHECK_THAT(with({{"http.proxy.host", "proxy"}}), Catch::Contains("http.proxy.port: must be set"));
  CHECK_THAT(with({{"batch.max.size", "0"}}), Catch::StartsWith("batch.max.size"));
  CHECK_THAT(with({{"http.timeout", "0"}}), Catch::StartsWith("http.timeout"));
  CHECK_THAT(with({{"http.ssl.client.key.file", "/k.pem"}}),
             Catch::Contains("http.ssl.client.key.file: is set but http.ssl.client.cert.file is not"));
}

TEST_CASE("HttpSink sends through the proxy of http.proxy.host and http.proxy.port", "[http][httpsink]") {
  ScheduledServer proxy;  // stands in for a forward proxy: it sees the absolute URL in the request line
  Harness h({{"http.url", "http://sink.invalid/ingest"},
             {"http.proxy.host", "127.0.0.1"},
             {"http.proxy.port", std::to_string(proxy.port())}});
  h.put_strings({"via proxy"});
  CHECK(h.commit() == 1);
  auto got = proxy.received();
  REQUIRE(got.size() == 1);
  CHECK_THAT(got[0].path, Catch::EndsWith("/ingest"));
  CHECK_THAT(got[0].path, Catch::Contains("sink.invalid"));
  CHECK(got[0].body == "via proxy");
}
