// The entry points of modules/connectrun-kafka.so: connectors/core_modules.cpp
// looks them up with dlsym. The module binds to the binary's copy of lib/.
#include "kafka/kafka_api.h"

extern "C" {

// The connectrun version the module was built with: the loader refuses another's.
__attribute__((visibility("default"))) const char* connectrun_module_version() { return CONNECTRUN_VERSION; }

__attribute__((visibility("default"))) const connectrun::KafkaApi* connectrun_kafka_api() {
  return &connectrun::kafka_api_table();
}

}
