// `connectrun broker`: librdkafka's mock cluster as a Kafka-protocol broker
// for development and tests (lib/kafka/mock_cluster.h, in the Kafka module).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <optional>
#include <iostream>
#include <stdexcept>

#include <fmt/format.h>

#include "commands.h"
#include "exit_codes.h"
#include "kafka/kafka_api.h"
#include "ops/signals.h"
#include "plan/job_config.h"

namespace connectrun::cli {

namespace {

// "name:partitions" (partitions default 1); nullopt when malformed.
std::optional<std::pair<std::string, int>> parse_topic_spec(const std::string& spec) {
  auto colon = spec.rfind(':');
  std::string name = colon == std::string::npos ? spec : spec.substr(0, colon);
  int partitions = 1;
  if (colon != std::string::npos) {
    try {
      size_t used = 0;
      partitions = std::stoi(spec.substr(colon + 1), &used);
      if (used != spec.size() - colon - 1 || partitions < 1) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (topic_name_problem(name)) return std::nullopt;
  return std::pair{name, partitions};
}

// Writes `text` to `path` through a temporary file renamed into place, so a
// reader sees either no file or the whole address, never an empty one.
std::optional<std::string> write_atomically(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) return fmt::format("cannot write {}: {}", tmp, std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string err = std::strerror(errno);
    std::remove(tmp.c_str());
    return fmt::format("cannot rename {} to {}: {}", tmp, path, err);
  }
  return std::nullopt;
}

}  // namespace

void BrokerCommand::add(CLI::App& app) {
  cmd = app.add_subcommand(
      "broker", "Run a local Kafka-protocol broker for development and tests (librdkafka's mock cluster). It prints its "
                "bootstrap address (127.0.0.1:PORT) as the first line of stdout and runs until SIGINT/SIGTERM. DATA IS "
                "KEPT IN MEMORY ONLY, and the mock cluster keeps only about 5 MB per partition, silently dropping "
                "older data: never use it for anything but development and tests.");
  cmd->add_option("--brokers", brokers, "Number of brokers (default 1)")->check(CLI::Range(1, 32));
  cmd->add_option("--port", port,
                  "Not supported: librdkafka 2.0's mock cluster always listens on a port of its own choosing; read "
                  "the address from the first line of stdout");
  cmd->add_option("--topic", topics, "NAME[:PARTITIONS] to create at start (repeatable; default 1 partition)");
  cmd->add_option("--address-file", address_file,
                  "Also write the bootstrap address (and a newline) to FILE once the broker listens: atomically (a "
                  "temporary file renamed into place), so FILE either does not exist or holds the whole address; "
                  "removed when the broker stops. Wait for it with `until [ -s FILE ]; do sleep 0.1; done`.");
}

int BrokerCommand::run() {
  if (port != 0) {
    std::cerr << "error: --port: librdkafka 2.0's mock cluster cannot listen on a chosen port; omit --port and "
                 "read the bootstrap address from the first line of stdout\n";
    return kExitBadConfig;
  }
  std::vector<std::pair<std::string, int>> parsed;
  for (auto& s : topics) {
    auto t = parse_topic_spec(s);
    if (!t) {
      std::cerr << "error: --topic '" << s
                << "': expected NAME or NAME:PARTITIONS (a legal topic name, partitions >= 1)\n";
      return kExitBadConfig;
    }
    parsed.push_back(*t);
  }
  // Blocked before the cluster's threads start, so only sigwait below takes them.
  const sigset_t set = block_signals({SIGINT, SIGTERM});
  if (!address_file.empty()) std::remove(address_file.c_str());  // a previous broker's, killed before it could
  try {
    std::unique_ptr<MockBroker> broker = kafka_api().mock_broker(brokers, parsed);
    const MockBroker& cluster = *broker;
    std::printf("%s\n", cluster.bootstrap().c_str());
    std::fflush(stdout);
    if (!address_file.empty()) {
      if (auto err = write_atomically(address_file, cluster.bootstrap() + "\n")) {
        std::cerr << "error: --address-file: " << *err << "\n";
        return kExitConnectorFailed;
      }
    }
    std::fprintf(stderr,
                 "connectrun broker: %d broker(s) at %s — librdkafka's mock cluster: data in memory only, about 5 MB "
                 "kept per partition (older data silently dropped); for development and tests only. Ctrl-C stops it.\n",
                 brokers, cluster.bootstrap().c_str());
    int sig = 0;
    sigwait(&set, &sig);
    // A stale address would send the next reader to a closed port.
    if (!address_file.empty()) std::remove(address_file.c_str());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return kExitConnectorFailed;
  }
  return kExitOk;
}

}  // namespace connectrun::cli
