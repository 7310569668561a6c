#include "runtime/dev_broker.h"

#include <signal.h>

#include <cstdio>
#include <stdexcept>

#include <fmt/format.h>

#include "runtime/job_config.h"

namespace connectrun {

DevBroker::DevBroker(int brokers, const std::vector<std::pair<std::string, int>>& topics) {
  RdConf conf(rd_kafka_conf_new());
  char err[512];
  // A producer handle with no brokers of its own: the mock cluster needs a host handle.
  rd_kafka_conf_set(conf.get(), "log_level", "3", err, sizeof err);
  rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err));
  if (!rk_) throw std::runtime_error(fmt::format("cannot create the mock cluster's handle: {}", err));
  conf.release();
  cluster_ = rd_kafka_mock_cluster_new(rk_.get(), brokers);
  if (!cluster_) throw std::runtime_error("librdkafka could not create the mock cluster");
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  for (auto& [name, partitions] : topics) create_topic(name, partitions);
}

DevBroker::~DevBroker() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

void DevBroker::create_topic(const std::string& name, int partitions) {
  if (auto e = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1))
    throw std::runtime_error(fmt::format("cannot create topic '{}': {}", name, rd_kafka_err2str(e)));
}

std::pair<std::string, int> parse_topic_spec(const std::string& spec) {
  auto colon = spec.rfind(':');
  std::string name = colon == std::string::npos ? spec : spec.substr(0, colon);
  int partitions = 1;
  if (colon != std::string::npos) {
    try {
      size_t used = 0;
      partitions = std::stoi(spec.substr(colon + 1), &used);
      if (used != spec.size() - colon - 1 || partitions < 1) return {"", 0};
    } catch (const std::exception&) {
      return {"", 0};
    }
  }
  if (topic_name_problem(name)) return {"", 0};
  return {name, partitions};
}

int run_dev_broker(int brokers, const std::vector<std::string>& topic_specs) {
  std::vector<std::pair<std::string, int>> topics;
  for (auto& s : topic_specs) {
    auto t = parse_topic_spec(s);
    if (t.first.empty()) {
      std::fprintf(stderr, "error: --topic '%s': expected NAME or NAME:PARTITIONS (a legal topic name, partitions >= 1)\n",
                   s.c_str());
      return 2;
    }
    topics.push_back(t);
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  // Blocked before the cluster's threads start, so they inherit the mask and
  // only sigwait below takes the signal.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  try {
    DevBroker broker(brokers, topics);
    std::printf("%s\n", broker.bootstrap().c_str());
    std::fflush(stdout);
    std::fprintf(stderr,
                 "connectrun broker: %d broker(s) at %s — librdkafka's mock cluster: data in memory only, about 5 MB "
                 "kept per partition (older data silently dropped); for development and tests only. Ctrl-C stops it.\n",
                 brokers, broker.bootstrap().c_str());
    int sig = 0;
    sigwait(&set, &sig);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
  }
  return 0;
}

}  // namespace connectrun
