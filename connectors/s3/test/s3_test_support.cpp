#include "connectors/s3/test/s3_test_support.h"

#include <fstream>

#include <fmt/format.h>

#include "config/loader.h"
#include "plan/job_config.h"
#include "test_job.h"

namespace s3test {

std::string restore_job(const testsupport::S3rverServer& s3, const std::string& dir, const std::string& extra,
                        const std::string& format_class) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: restore
    connector.class: io.confluent.connect.s3.source.S3SourceConnector
    s3.bucket.name: test-bucket
    store.url: {1}
    aws.access.key.id: S3RVER
    aws.secret.access.key: S3RVER
    format.class: {3}
    topic.regex.list: "restored:ev.*"
    record.batch.max.size: 4
{2}
  - name: out
    connector.class: FileStreamSink
    topics: restored
    file: {0}/out.txt
)",
                     dir, s3.url(), extra, format_class);
}

std::string sink_job(const testsupport::S3rverServer& s3, const SinkJob& job) {
  bool has_flush = job.sink_extra.find("flush.size") != std::string::npos;
  bool has_format = job.sink_extra.find("format.class") != std::string::npos;
  return fmt::format(R"(worker:
  offset.storage.file.filename: {dir}/offsets.json
  offset.flush.interval.ms: 100
  key.converter: StringConverter
  value.converter: StringConverter
{worker}
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {dir}/in.txt
    topic: {topic}
  - name: s3
    connector.class: io.confluent.connect.s3.S3SinkConnector
    topics: {topic}
    s3.bucket.name: {bucket}
    store.url: {url}
    aws.access.key.id: S3RVER
    aws.secret.access.key: S3RVER
    value.converter: {conv}
{schemas}    s3.retry.backoff.ms: 50
{flush}{format}{sink}
{more}
)",
                     fmt::arg("dir", job.dir), fmt::arg("conv", job.value_converter),
                     fmt::arg("schemas", job.value_converter != "JsonConverter" ? ""
                                       : job.schemas ? "    value.converter.schemas.enable: true\n"
                                                     : "    value.converter.schemas.enable: false\n"), fmt::arg("worker", job.worker_extra),
                     fmt::arg("topic", job.topic), fmt::arg("bucket", job.bucket), fmt::arg("url", s3.url()),
                     fmt::arg("flush", has_flush ? "" : "    flush.size: 3\n"),
                     fmt::arg("format", has_format ? "" : "    format.class: io.confluent.connect.s3.format.json.JsonFormat\n"), fmt::arg("sink", job.sink_extra),
                     fmt::arg("more", job.more_connectors));
}

bool run_in_process(const std::string& yaml) {
  auto registry = testsupport::test_registry([](connectrun::PluginRegistry&) {});
  auto plan = testsupport::plan_yaml(yaml, *registry);
  return testsupport::run_job_once(plan) == connectrun::RunOutcome::Ok;
}

std::string plan_problems(const std::string& yaml) {
  auto registry = testsupport::test_registry([](connectrun::PluginRegistry&) {});
  connectrun::config::Problems problems;
  auto job = connectrun::config::load_yaml_text(yaml, "job.yaml", problems);
  if (problems.empty()) connectrun::config::resolve_placeholders(job, problems);
  if (problems.empty()) (void)connectrun::plan_job(job, *registry, problems);
  std::string all;
  for (auto& p : problems.list()) all += p.str() + "\n";
  return all;
}

SigV4Proxy::SigV4Proxy(const testsupport::S3rverServer& s3, SigV4ProxyOptions options)
    : server_({.name = "sigv4 proxy (stand-in)",
               .command = {"python3", CONNECTRUN_SOURCE_DIR "/connectors/s3/test/sigv4_proxy.py", "--port", "{port}",
                           "--upstream-port", std::to_string(s3.port()), "--access-key",
                           testsupport::S3rverServer::kAccessKey, "--secret", testsupport::S3rverServer::kSecretKey,
                           "--log", "{dir}/requests.log", "--delay-ms", std::to_string(options.delay_ms),
                           "--drop-answers", std::to_string(options.drop_answers)}}) {}

std::string SigV4Proxy::url() const { return fmt::format("http://127.0.0.1:{}", port()); }

std::vector<std::string> SigV4Proxy::requests() const {
  std::vector<std::string> out;
  std::ifstream in(server_.dir() + "/requests.log");
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string via(std::string yaml, const testsupport::S3rverServer& s3, const std::string& url) {
  for (size_t at = yaml.find(s3.url()); at != std::string::npos; at = yaml.find(s3.url(), at + url.size()))
    yaml.replace(at, s3.url().size(), url);
  return yaml;
}

std::string json_lines(int from, int to) {
  static const char* countries[] = {"fr", "de", "it"};
  std::string out;
  for (int i = from; i < to; ++i)
    out += fmt::format(R"({{"id":{},"country":"{}","ts":{}}})" "\n", i, countries[i % 3],
                       1767225600000LL + int64_t{i} * 1800000);  // 2026-01-01T00:00Z, every half hour
  return out;
}

}  // namespace s3test
