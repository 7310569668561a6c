#include "engine/error_handler.h"

#include <cctype>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "plugin/connector.h"

namespace connectrun {

ErrorHandler::ErrorHandler(const config::ConfigValues& common, std::shared_ptr<spdlog::logger> log)
    : retry_policy_(RetryPolicy::from(common)), log_(std::move(log)) {
  std::string t = common.get_string("errors.tolerance");
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  tolerate_all_ = t == "all";
  log_enable_ = common.get_bool("errors.log.enable");
  include_messages_ = common.get_bool("errors.log.include.messages");
  // A sink-only key: sources never dead-letter (as in Kafka Connect).
  if (common.has("errors.deadletterqueue.topic.name")) dlq_topic_ = common.get_string("errors.deadletterqueue.topic.name");
}

void ErrorHandler::handle(std::string_view stage, std::string_view plugin, const std::string& position,
                          const std::exception& e) {
  if (!tolerate_all_)
    throw ConnectError(fmt::format("Tolerance exceeded in error handler: stage {} ({}) failed on the record at {}: {}",
                                   stage, plugin, position, e.what()));
  uint64_t n = skipped_.fetch_add(1, std::memory_order_relaxed) + 1;
  // What happens to the record next (the sink worker writes it to the dead letter topic when one is set).
  const std::string fate = dlq_topic_.empty() ? std::string("skipped")
                                              : fmt::format("sent to the dead letter topic '{}'", dlq_topic_);
  if (log_enable_) {
    if (include_messages_)
      log_->error("Error encountered executing stage {} with class '{}' on the record at {}; {} (errors.tolerance=all): {}",
                  stage, plugin, position, fate, e.what());
    else
      log_->error("Error encountered executing stage {} with class '{}'; {} (errors.tolerance=all): {}", stage, plugin,
                  fate, e.what());
  } else if ((n & (n - 1)) == 0) {
    // Without errors.log.enable, say it at 1, 2, 4, 8 … failures so it is never silent.
    log_->warn("{} failed record(s) {} so far under errors.tolerance=all (last: stage {}: {}); set errors.log.enable=true "
               "to log each", n, fate, stage, e.what());
  }
}

}  // namespace connectrun
