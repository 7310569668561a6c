// kafka_api() where lib/kafka is linked in (connectrun_tests, the fuzz targets);
// the connectrun binary loads it from its module (connectors/core_modules.cpp).
#include "kafka/kafka_api.h"

namespace connectrun {

const KafkaApi& kafka_api() { return kafka_api_table(); }

std::string librdkafka_version() { return kafka_api().version(); }

}  // namespace connectrun
