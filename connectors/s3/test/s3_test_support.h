// Jobs for the s3 family's tests: FileStreamSource (in.txt → topic) into
// S3Sink on an s3rver, planned and run in this process or by the binary.
#pragma once

#include <string>
#include <vector>

#include "servers/s3rver_server.h"
#include "servers/test_server.h"

namespace s3test {

struct SinkJob {
  std::string dir;                 // in.txt, offsets.json, job.yaml live here
  std::string topic = "events";
  std::string bucket = "test-bucket";
  std::string value_converter = "JsonConverter";
  bool schemas = false;            // value.converter.schemas.enable
  std::string sink_extra;          // YAML lines (4 spaces indent) for the sink
  std::string worker_extra;        // YAML lines (2 spaces indent) for the worker
  std::string more_connectors;     // YAML list items appended
};

// The job's YAML: source `src`, sink `s3` (flush.size 3 unless sink_extra says otherwise).
std::string sink_job(const testsupport::S3rverServer& s3, const SinkJob& job);

// S3Source `restore` of `format_class` objects (renaming events → restored, record.batch.max.size 4, `extra`
// YAML lines with 4 spaces indent) into FileStreamSink `out` writing dir/out.txt (JsonConverter, schemas off).
std::string restore_job(const testsupport::S3rverServer& s3, const std::string& dir, const std::string& extra,
                        const std::string& format_class = "io.confluent.connect.s3.format.json.JsonFormat");

// Plans `yaml` with the built-in plugins and runs it to the end of the data in this process.
bool run_in_process(const std::string& yaml);

// The configuration problems of `yaml` (planning it, which runs configure()), one per line.
std::string plan_problems(const std::string& yaml);

// A test stand-in (connectors/s3/test/sigv4_proxy.py, python3) in front of
// an s3rver: checks every request's AWS SigV4 signature with the secret as S3
// does (403 SignatureDoesNotMatch), passes the good ones on; optionally delays
// every request (a slow server) and loses the answers of the first PutObject
// requests after they were written.
struct SigV4ProxyOptions {
  int delay_ms = 0;
  int drop_answers = 0;
};
class SigV4Proxy {
 public:
  SigV4Proxy(const testsupport::S3rverServer& s3, SigV4ProxyOptions options = {});
  std::string url() const;
  int port() const { return server_.port(); }
  // Its log so far: "OK <operation> <method> <target>" / "BAD ... <why>" / "DROPPED ...".
  std::vector<std::string> requests() const;

 private:
  testsupport::TestServer server_;
};

// `yaml` with the s3rver's endpoint replaced by `url` (every occurrence).
std::string via(std::string yaml, const testsupport::S3rverServer& s3, const std::string& url);

// numbered JSON lines {"id":i,"country":…,"ts":…}, i in [from, to)
std::string json_lines(int from, int to);

}  // namespace s3test
