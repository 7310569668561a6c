// Jobs for the s3 family's tests: FileStreamSource (in.txt → topic) into
// S3Sink on an s3rver, planned and run in this process or by the binary.
#pragma once

#include <string>

#include "servers/s3rver_server.h"

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

// Plans `yaml` with the built-in plugins and runs it to the end of the data in this process.
bool run_in_process(const std::string& yaml);

// The configuration problems of `yaml` (planning it, which runs configure()), one per line.
std::string plan_problems(const std::string& yaml);

// numbered JSON lines {"id":i,"country":…,"ts":…}, i in [from, to)
std::string json_lines(int from, int to);

}  // namespace s3test
