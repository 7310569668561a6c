// The entry points of modules/connectrun-icu.so: connectors/core_modules.cpp
// looks them up with dlsym. The module binds to the binary's copy of lib/.
#include "transforms/icu_date_format.h"

extern "C" {

// The connectrun version the module was built with: the loader refuses another's.
__attribute__((visibility("default"))) const char* connectrun_module_version() { return CONNECTRUN_VERSION; }

// Throws std::invalid_argument when ICU refuses the pattern (the caller catches it: one libstdc++).
__attribute__((visibility("default"))) connectrun::transforms::IcuDateFormat* connectrun_icu_date_format(
    std::string_view pattern) {
  return connectrun::transforms::new_icu_date_format(pattern).release();
}

}
